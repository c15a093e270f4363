package io.isola.core.policy;

import io.isola.core.IsolaException;

/** A policy file is wrong. The message names the file and line, what is wrong and how to fix it. */
public final class PolicyException extends IsolaException {
    public PolicyException(String source, int line, String message) {
        super(source + (line > 0 ? ":" + line : "") + ": " + message, 2);
    }
}
