package io.isola.cli.args;

/** The command line is wrong; the message says how, and the exit code is 2. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
