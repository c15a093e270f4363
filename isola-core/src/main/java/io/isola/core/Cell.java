package io.isola.core;

import java.time.Duration;
import java.util.Optional;

/** One running, disposable cell. Closing it kills whatever still runs and removes every trace of it. */
public interface Cell extends AutoCloseable {
    String id();

    /** The host pid of the cell's supervisor process. */
    int pid();

    /** Blocks until the task ends. */
    CellExit waitFor() throws InterruptedException;

    /** Waits at most {@code d}; empty when the task is still running. */
    Optional<CellExit> waitFor(Duration d) throws InterruptedException;

    /** Kills every process of the cell; {@code why} goes into the audit log. */
    void kill(String why);

    /** Kills what remains, unmounts, removes the cgroup. Idempotent. */
    @Override
    void close();
}
