package io.isola.core;

import java.time.Duration;

/**
 * What one cell may consume. The defaults keep a hostile task from hurting the host on a 2-core machine while
 * leaving room for a document viewer.
 *
 * @param memoryBytes RAM for all processes of the cell together
 * @param maxPids processes and threads at once
 * @param cpus share of CPUs (1.0 = one core), 0 for no cap
 * @param cpuTime total CPU time before the cell is killed, null for none
 * @param timeout wall-clock time before the cell is killed, null for none
 * @param diskBytes size of the cell's private writable layer (its tmpfs)
 */
public record Limits(long memoryBytes, int maxPids, double cpus, Duration cpuTime, Duration timeout, long diskBytes) {
    public static final Limits DEFAULT = new Limits(512L << 20, 256, 1.0, null, null, 256L << 20);

    /**
     * The floors below which a cell cannot do its work, measured with real sandbox cells: under 3 MiB of memory
     * the cell's own bwrap, init and shell are OOM-killed (1 MiB always, 2 MiB now and then), with 2 pids bwrap
     * cannot fork the cell's init and under 5 a shell cannot run a pipeline, and a writable layer of a few KiB holds
     * one page. Each floor leaves some room above what was measured.
     */
    public static final long MIN_MEMORY_BYTES = 4L << 20, MIN_DISK_BYTES = 1L << 20;

    public static final int MIN_PIDS = 8;

    public Limits {
        // Plain ifs, no lambdas: DEFAULT is built on every command line's start, where a lambda's bootstrap costs ms.
        String wrong = memoryBytes < MIN_MEMORY_BYTES
                ? "memory " + TOO_LITTLE_MEMORY
                : maxPids < MIN_PIDS
                        ? "pids " + TOO_FEW_PIDS
                        : diskBytes < MIN_DISK_BYTES ? "disk " + TOO_LITTLE_DISK : null;
        if (wrong != null) {
            throw new IsolaException(wrong, 2);
        }
        if (cpus != 0 && cpus < 0.01) {
            throw new IsolaException("--cpus must be 0 (no cap) or at least 0.01, the kernel's smallest share", 2);
        }
    }

    // What is wrong with a value below its floor: completes "OPTION ..." or "key ...", as Quantities' messages do.
    private static final String TOO_LITTLE_MEMORY = "must be at least 4M: a cell's own processes need about 3M";
    private static final String TOO_FEW_PIDS =
            "must be at least 8: the cell's own bwrap and init take 2, and a " + "shell needs room to fork";
    private static final String TOO_LITTLE_DISK =
            "must be at least 1M: the writable layer holds the cell's /tmp " + "and home";

    /** @throws IllegalArgumentException when no cell can run in this much memory */
    public static long requireMemory(long bytes) {
        if (bytes < MIN_MEMORY_BYTES) {
            throw new IllegalArgumentException(TOO_LITTLE_MEMORY);
        }
        return bytes;
    }

    /** @throws IllegalArgumentException when no cell can run with this few processes and threads */
    public static int requirePids(int pids) {
        if (pids < MIN_PIDS) {
            throw new IllegalArgumentException(TOO_FEW_PIDS);
        }
        return pids;
    }

    /** @throws IllegalArgumentException when a writable layer this small cannot hold a cell's files */
    public static long requireDisk(long bytes) {
        if (bytes < MIN_DISK_BYTES) {
            throw new IllegalArgumentException(TOO_LITTLE_DISK);
        }
        return bytes;
    }

    public Limits withMemory(long bytes) {
        return new Limits(bytes, maxPids, cpus, cpuTime, timeout, diskBytes);
    }

    public Limits withPids(int pids) {
        return new Limits(memoryBytes, pids, cpus, cpuTime, timeout, diskBytes);
    }

    public Limits withCpus(double c) {
        return new Limits(memoryBytes, maxPids, c, cpuTime, timeout, diskBytes);
    }

    public Limits withCpuTime(Duration d) {
        return new Limits(memoryBytes, maxPids, cpus, d, timeout, diskBytes);
    }

    public Limits withTimeout(Duration d) {
        return new Limits(memoryBytes, maxPids, cpus, cpuTime, d, diskBytes);
    }

    public Limits withDisk(long bytes) {
        return new Limits(memoryBytes, maxPids, cpus, cpuTime, timeout, bytes);
    }
}
