package io.isola.guard;

import io.isola.linux.FileFacts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Who may open an untrusted file on the host: Isola's cells, Isola itself, and the programs the policy allows.
 * Everything here reads {@code /proc}, which the kernel answers itself (no user-space process can make it wait), so
 * it is safe on the decision path; it runs only for files already judged untrusted.
 *
 * <p>The signals, each one something the caller cannot fake without root (and root can stop the guard anyway):
 * <ul>
 *   <li>a cell: its host uid lies in the range reserved for cells (only root can take a uid), or its process lives
 *       in Isola's cgroup subtree at the root of a hierarchy (only root can move a process there), which is how a
 *       VM cell's QEMU, running as an ordinary uid, is known;
 *   <li>Isola itself: effective uid 0, its executable the very JDK the guard runs on, and its command line naming
 *       Isola's entry point. A user who starts the same JVM with the same class name is not root, so is refused;
 *   <li>a program of {@code [guard] allow}: its executable's real path, as the kernel reports it.
 * </ul>
 */
final class Callers {
    /** Cells run as 2100000000 + 512 × Isola's pid + slot (CellUids in isola-sandbox), up to 2^32 − 1. */
    static final long FIRST_CELL_UID = 2_100_000_000L;

    private final int self;
    private final Set<String> allowed;
    private final String java;
    private final List<String> isolaMains;
    private final String cellCgroup;

    /**
     * @param allowed executables that may open untrusted files (their real paths)
     * @param isolaMains what Isola's command line names as its entry point: a main class or a jar path
     * @param cellCgroup Isola's cgroup subtree as {@code /proc/PID/cgroup} shows it, e.g. {@code /isola}
     */
    Callers(int self, Set<String> allowed, String java, List<String> isolaMains, String cellCgroup) {
        this.self = self;
        this.allowed = Set.copyOf(allowed);
        this.java = java;
        this.isolaMains = List.copyOf(isolaMains);
        this.cellCgroup = cellCgroup.endsWith("/") ? cellCgroup : cellCgroup + "/";
    }

    static Callers forThisHost(int self, Set<String> allowed) {
        String java = ProcessHandle.current().info().command().orElse("");
        return new Callers(self, allowed, java, List.of("io.isola.cli.Main", "io.isola.service."), "/isola");
    }

    /** Why this process may open an untrusted file, or null when it may not. */
    String allowedBecause(int pid) {
        if (pid == self) {
            return "the guard itself";
        }
        long euid = effectiveUid(pid);
        if (euid >= FIRST_CELL_UID) {
            return "a cell (uid " + euid + ")";
        }
        if (inCellCgroup(pid)) {
            return "a cell (in Isola's cgroup " + cellCgroup + ")";
        }
        String exe = FileFacts.link("/proc/" + pid + "/exe");
        if (exe == null) {
            return null;
        }
        if (allowed.contains(exe)) {
            return "an allowed program (" + exe + ")";
        }
        if (euid == 0 && exe.equals(java) && runsIsola(pid)) {
            return "Isola itself";
        }
        return null;
    }

    /** The effective uid, or -1 when the process is gone. */
    static long effectiveUid(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException gone) {
            // a process that ended has no rights left
        }
        return -1;
    }

    private boolean inCellCgroup(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"), StandardCharsets.UTF_8)) {
                int colon = line.indexOf(':', line.indexOf(':') + 1);
                if (colon > 0 && line.startsWith(cellCgroup, colon + 1)) {
                    return true;
                }
            }
        } catch (IOException gone) {
            // ended
        }
        return false;
    }

    private boolean runsIsola(int pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            for (String arg : new String(raw, StandardCharsets.UTF_8).split("\0")) {
                for (String main : isolaMains) {
                    if (arg.equals(main) || (main.endsWith(".") && arg.startsWith(main))) {
                        return true;
                    }
                }
            }
        } catch (IOException gone) {
            // ended
        }
        return false;
    }

    /** What the denial names: the program's path, or its pid when that is gone. */
    static String program(int pid) {
        String exe = FileFacts.link("/proc/" + pid + "/exe");
        return exe == null ? "pid " + pid : exe;
    }
}
