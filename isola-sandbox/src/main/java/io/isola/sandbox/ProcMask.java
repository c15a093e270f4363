package io.isola.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;

/**
 * What a cell's /proc hides of the host. The pid, network, IPC, UTS and cgroup namespaces already make most of
 * /proc the cell's own; what stays host-wide and says which machine this is, or what it runs, is covered, as
 * container runtimes do (runc's maskedPaths): files by an empty file, directories by an empty directory, and two
 * files by per-cell content:
 * <ul>
 *   <li>{@code sys/kernel/random/boot_id}: a fresh random id for each cell, so that no two cells, nor a cell and the
 *       host, can be linked by it;</li>
 *   <li>{@code loadavg}: an idle load, without the host's count of threads.</li>
 * </ul>
 * Only what the host's kernel has and an unprivileged user could read is covered: each cover is one more mount in
 * every cell's start, and on a busy machine one costs bwrap about half a millisecond. The covers are files in the cell's tmpfs (see {@link CellRootfs}), bound read-only.
 */
record ProcMask(List<String> files, List<String> dirs) {
    /**
     * Relative to /proc: what names this host or shows what it does: the kernel's symbols and build, keys, boot
     * command line, devices by name (interrupts), disks, swap files and every process's file locks. The root-only
     * ones are listed so that a kernel that opens them up is covered too. The machine's shape (CPUs, memory) stays
     * visible, as in /proc/cpuinfo and /proc/meminfo, which programs need.
     */
    static final List<String> HIDDEN_FILES = List.of(
            "kallsyms",
            "key-users",
            "keys",
            "cmdline",
            "config.gz",
            "modules",
            "interrupts",
            "partitions",
            "diskstats",
            "swaps",
            "locks",
            "timer_list",
            "sched_debug",
            "kcore",
            "kmsg",
            "vmallocinfo",
            "slabinfo",
            "pagetypeinfo",
            "kpagecgroup",
            "kpagecount",
            "kpageflags");
    /** Relative to /proc: buses, with the names of the host's PCI and input devices. */
    static final List<String> HIDDEN_DIRS = List.of("bus", "asound", "scsi");

    static final String BOOT_ID = "sys/kernel/random/boot_id", LOADAVG = "loadavg";
    private static final String EMPTY_FILE = "empty", EMPTY_DIR = "empty.d";
    private static final Path HOST_UUID = Path.of("/proc/sys/kernel/random/uuid");

    /** The covers this host's /proc needs: what exists there and "other" may read. */
    static ProcMask of(Path proc) {
        return new ProcMask(readable(proc, HIDDEN_FILES), readable(proc, HIDDEN_DIRS));
    }

    private static List<String> readable(Path proc, List<String> names) {
        List<String> found = new ArrayList<>();
        for (String name : names) {
            try {
                if (Files.getPosixFilePermissions(proc.resolve(name), LinkOption.NOFOLLOW_LINKS)
                        .contains(PosixFilePermission.OTHERS_READ)) {
                    found.add(name);
                }
            } catch (IOException e) {
                // not on this kernel: nothing to cover
            }
        }
        return found;
    }

    /** Writes one cell's covers into {@code dir}, which the cell never sees. */
    static void writeCovers(Path dir) {
        try {
            Files.createDirectories(dir.resolve(EMPTY_DIR));
            Files.createFile(dir.resolve(EMPTY_FILE));
            // The kernel hands out a fresh random (v4) UUID on every read of this file.
            Files.writeString(dir.resolve("boot_id"), Files.readString(HOST_UUID), StandardCharsets.US_ASCII);
            Files.writeString(dir.resolve(LOADAVG), "0.00 0.00 0.00 1/1 1\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cell's /proc covers: " + e.getMessage(), e);
        }
    }

    /** The bwrap options that lay the covers in {@code dir} over the cell's fresh /proc. */
    List<String> bwrapArgs(Path dir) {
        List<String> a = new ArrayList<>();
        bind(a, dir.resolve("boot_id"), BOOT_ID);
        bind(a, dir.resolve(LOADAVG), LOADAVG);
        for (String f : files) {
            bind(a, dir.resolve(EMPTY_FILE), f);
        }
        for (String d : dirs) {
            bind(a, dir.resolve(EMPTY_DIR), d);
        }
        return a;
    }

    private static void bind(List<String> args, Path cover, String procPath) {
        args.addAll(List.of("--ro-bind", cover.toString(), "/proc/" + procPath));
    }
}
