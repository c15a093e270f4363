package io.isola.linux.cgroup;

import io.isola.linux.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One cgroup, on cgroup v2 (one directory) or on cgroup v1 (one directory per controller). Both exist in the field:
 * desktops run unified v2, while these build machines mount v1 controllers with an empty v2 beside them.
 */
public final class Cgroup {
    private final CgroupVersion version;
    /** v2: the single directory. v1: memory, pids, cpu, cpuacct directories, in that order (absent ones null). */
    private final List<Path> dirs;

    private final String name;

    Cgroup(CgroupVersion version, String name, List<Path> dirs) {
        this.version = version;
        this.name = name;
        this.dirs = dirs;
    }

    public String name() {
        return name;
    }

    public List<Path> directories() {
        return dirs.stream().filter(d -> d != null).distinct().toList();
    }

    /** Sets new limits; used when a cgroup prepared ahead receives its task. */
    public void limit(CgroupLimits limits) {
        try {
            applyLimits(limits);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set the limits of cgroup " + name, e);
        }
    }

    void applyLimits(CgroupLimits limits) throws IOException {
        if (version == CgroupVersion.V2) {
            Path d = dirs.get(0);
            if (limits.memoryBytes() > 0) {
                write(d.resolve("memory.max"), Long.toString(limits.memoryBytes()));
                writeIfPresent(d.resolve("memory.swap.max"), "0");
            }
            if (limits.maxPids() > 0) {
                write(d.resolve("pids.max"), Integer.toString(limits.maxPids()));
            }
            write(
                    d.resolve("cpu.max"),
                    (limits.cpus() > 0 ? Long.toString((long) (limits.cpus() * 100_000)) : "max") + " 100000");
            return;
        }
        Path memory = dirs.get(0), pids = dirs.get(1), cpu = dirs.get(2);
        if (limits.memoryBytes() > 0) {
            // The kernel keeps memsw >= memory at every step, so the order depends on the direction of the change.
            String value = Long.toString(limits.memoryBytes());
            Path mem = memory.resolve("memory.limit_in_bytes"), memsw = memory.resolve("memory.memsw.limit_in_bytes");
            boolean raising =
                    limits.memoryBytes() > Long.parseLong(Files.readString(mem).trim());
            if (raising) {
                writeIfPresent(memsw, value);
            }
            write(mem, value);
            if (!raising) {
                writeIfPresent(memsw, value);
            }
        }
        if (limits.maxPids() > 0) {
            write(pids.resolve("pids.max"), Integer.toString(limits.maxPids()));
        }
        if (cpu != null) {
            // 0 means no cap; the cgroup may have been prepared with one, so clear it explicitly.
            write(cpu.resolve("cpu.cfs_period_us"), "100000");
            write(
                    cpu.resolve("cpu.cfs_quota_us"),
                    limits.cpus() > 0 ? Long.toString((long) (limits.cpus() * 100_000)) : "-1");
        }
    }

    /** Moves a process (all its threads) into this cgroup. */
    public void add(int pid) {
        String p = Integer.toString(pid);
        for (Path d : directories()) {
            try {
                write(d.resolve("cgroup.procs"), p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot move pid " + pid + " into cgroup " + d, e);
            }
        }
    }

    /** The processes in this cgroup (read from the pids controller on v1, which every cell has). */
    public List<Integer> processes() {
        Path d = version == CgroupVersion.V2 ? dirs.get(0) : dirs.get(1);
        List<Integer> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(d.resolve("cgroup.procs"))) {
                if (!line.isBlank()) {
                    out.add(Integer.parseInt(line.trim()));
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            if (!Files.isDirectory(d)) {
                return out; // removed while we read it (the kernel answers ENODEV): nothing is left inside
            }
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** SIGKILLs everything inside, including processes forked while we kill. */
    public void killAll() {
        if (version == CgroupVersion.V2 && Files.exists(dirs.get(0).resolve("cgroup.kill"))) {
            try {
                write(dirs.get(0).resolve("cgroup.kill"), "1");
                return;
            } catch (IOException e) {
                // fall through to the portable loop
            }
        }
        // v1 has no cgroup.kill. The pids limit bounds a fork race, so repeated rounds converge; processes that are
        // dying stay listed until the kernel has reaped them, hence the short sleeps.
        long deadline = System.nanoTime() + 2_000_000_000L;
        for (List<Integer> procs = processes(); !procs.isEmpty() && System.nanoTime() < deadline; procs = processes()) {
            procs.forEach(pid -> Libc.kill(pid, Libc.SIGKILL));
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** CPU time used by everything that ever ran inside, in nanoseconds. */
    public long cpuNanos() {
        try {
            if (version == CgroupVersion.V2) {
                for (String line : Files.readAllLines(dirs.get(0).resolve("cpu.stat"))) {
                    if (line.startsWith("usage_usec ")) {
                        return Long.parseLong(line.substring(11).trim()) * 1000;
                    }
                }
                return 0;
            }
            // cpuacct is its own hierarchy here, co-mounted with cpu under systemd ("cpu,cpuacct").
            for (Path d : new Path[] {dirs.get(3), dirs.get(2)}) {
                if (d != null && Files.exists(d.resolve("cpuacct.usage"))) {
                    return Long.parseLong(
                            Files.readString(d.resolve("cpuacct.usage")).trim());
                }
            }
            return 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** How many times the kernel OOM-killed a process inside. */
    public long oomKills() {
        Path file = version == CgroupVersion.V2
                ? dirs.get(0).resolve("memory.events")
                : dirs.get(0).resolve("memory.oom_control");
        return counter(file, "oom_kill");
    }

    /** How many forks were refused by the pids limit. */
    public long pidsLimitHits() {
        Path d = version == CgroupVersion.V2 ? dirs.get(0) : dirs.get(1);
        return counter(d.resolve("pids.events"), "max");
    }

    /** Removes the cgroup; waits briefly for the kernel to let go of exiting processes. */
    public void remove() {
        for (Path d : directories()) {
            removeDir(d);
        }
    }

    static void removeDir(Path d) {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.deleteIfExists(d);
                return;
            } catch (IOException e) {
                if (attempt >= 1000) {
                    throw new UncheckedIOException("cannot remove cgroup " + d, e);
                }
                try {
                    Thread.sleep(1); // the kernel lets go of exiting tasks within a few ms
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException("interrupted while removing cgroup " + d, e);
                }
            }
        }
    }

    private static long counter(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2 && kv[0].equals(key)) {
                    return Long.parseLong(kv[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    private static void writeIfPresent(Path file, String value) throws IOException {
        if (Files.exists(file)) {
            write(file, value);
        }
    }
}
