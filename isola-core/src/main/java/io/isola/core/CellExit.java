package io.isola.core;

/**
 * How a cell ended. {@code exitCode} is what the CLI returns: the task's own code, or 128+signal.
 *
 * @param reason why it ended
 * @param detail for a kill, which limit or request caused it (e.g. "timeout 2s")
 */
public record CellExit(int exitCode, Reason reason, String detail) {
    public enum Reason {
        /** the task exited by itself (or died of its own signal) */
        EXITED,
        /** Isola killed it: timeout, CPU time, or a caller's kill / Ctrl-C */
        KILLED
    }
}
