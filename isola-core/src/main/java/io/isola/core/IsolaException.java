package io.isola.core;

/**
 * A failure the user can act on. The message is one line that says what is wrong and what to do; the CLI prints it
 * without a stack trace and exits with {@link #exitCode()}.
 */
public class IsolaException extends RuntimeException {
    /** Exit code for a failure of Isola itself, as opposed to the task's own exit code. */
    public static final int ISOLA_FAILED = 125;
    /** Exit code for a command that could not be found or started inside the cell. */
    public static final int NOT_RUNNABLE = 127;

    private final int exitCode;

    public IsolaException(String message) {
        this(message, ISOLA_FAILED);
    }

    public IsolaException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public IsolaException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = ISOLA_FAILED;
    }

    public int exitCode() {
        return exitCode;
    }
}
