package io.isola.core.policy;

import io.isola.core.IsolaException;

/** A policy file is wrong. The message names the file and line, what is wrong and how to fix it. */
public final class PolicyException extends IsolaException {
    private final int line;
    private final String what;

    public PolicyException(String source, int line, String message) {
        super(source + (line > 0 ? ":" + line : "") + ": " + message, 2);
        this.line = line;
        this.what = message;
    }

    /** The line it names, 0 for the file as a whole. */
    public int line() {
        return line;
    }

    /** What is wrong and what to do, without the file and line. */
    public String what() {
        return what;
    }
}
