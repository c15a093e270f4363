package io.isola.core;

import java.nio.file.Path;
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

    /** Whether the task still runs, asked without waiting (an interrupted asker gets false, and its flag back). */
    default boolean running() {
        try {
            return waitFor(Duration.ZERO).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Kills every process of the cell; {@code why} goes into the audit log. */
    void kill(String why);

    /**
     * Ends the task because its user asked (they closed its window): its processes are killed as by {@link #kill},
     * and what it left stays for {@link #harvest}, which the level's persistence rule then judges. An engine whose
     * kill takes the task's files with it (a VM's) ends the task more gently here.
     */
    default void stop(String why) {
        kill(why);
    }

    /**
     * After the task ended and before {@link #close()}: copies what the task left in its output directory, and
     * every input file it changed, into the host directory {@code into} through a
     * {@link io.isola.core.output.Harvester}, which treats all of it as hostile. Persistence decides later what
     * happens to the staged files. No more bytes come out than the cell's disk holds, whatever {@code quota} allows
     * ({@link OutputQuota#within}): a task cannot legitimately leave more, and sparse files claim what they never stored.
     *
     * @throws IllegalStateException while the task still runs
     */
    Harvest harvest(Path into, OutputQuota quota);

    /** Kills what remains, unmounts, removes the cgroup. Idempotent. */
    @Override
    void close();
}
