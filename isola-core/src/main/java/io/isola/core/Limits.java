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

    public Limits {
        if (memoryBytes <= 0 || maxPids <= 0 || diskBytes <= 0) {
            throw new IsolaException("limits must be positive: memory, pids and disk need a value above zero", 2);
        }
        if (cpus != 0 && cpus < 0.01) {
            throw new IsolaException("--cpus must be 0 (no cap) or at least 0.01, the kernel's smallest share", 2);
        }
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
