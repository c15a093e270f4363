package io.isola.core;

/**
 * How a cell ended. {@code exitCode} is what the CLI returns: the task's own code, or 128+signal.
 *
 * @param reason why it ended
 * @param detail for a kill, which limit or request caused it (e.g. "timeout 2s"); for a limit the kernel enforced,
 *     what it did (e.g. "1 process killed")
 */
public record CellExit(int exitCode, Reason reason, String detail) {
    public enum Reason {
        /** the task exited by itself (or died of its own signal) */
        EXITED,
        /** Isola killed it: timeout, CPU time, or a caller's kill / Ctrl-C */
        KILLED,
        /**
         * the kernel killed a process of the cell because the cell's memory limit was reached (the task may still
         * have exited by itself, often with 137); engines that cannot tell report EXITED
         */
        MEMORY_LIMIT,
        /** a process or thread of the cell could not start because the cell's process limit was reached */
        PIDS_LIMIT;

        /** Whether the cell ran into one of its resource limits that the kernel enforces (not a kill by Isola). */
        public boolean isLimit() {
            return this == MEMORY_LIMIT || this == PIDS_LIMIT;
        }
    }

    /**
     * One line when a limit or a kill ended the cell, naming the limit and the option that raises it: without it, a
     * memory kill is a bare 137 and a process limit only the task's own "Cannot fork".
     */
    public String explain(String cellId, Limits limits) {
        String cell = "isola: cell " + cellId;
        return switch (reason) {
            case EXITED -> null;
            case MEMORY_LIMIT ->
                cell + " reached its memory limit (" + Quantities.human(limits.memoryBytes())
                        + "): the kernel killed a process that needed more (" + detail
                        + "); raise it with --memory,"
                        + " e.g. --memory " + Quantities.human(limits.memoryBytes() * 2);
            case PIDS_LIMIT ->
                cell + " reached its process limit (" + limits.maxPids() + "): the task could not start"
                        + " more processes or threads (" + detail + "); raise it with --pids, e.g. --pids "
                        + limits.maxPids() * 2;
            case KILLED ->
                cell + " killed: " + detail
                        + (detail.startsWith("timeout ")
                                ? "; allow longer with --timeout"
                                : detail.startsWith("cpu-time ") ? "; allow more with --cpu-time" : "");
        };
    }
}
