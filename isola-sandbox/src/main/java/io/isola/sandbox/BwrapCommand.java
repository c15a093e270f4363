package io.isola.sandbox;

import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.ViewEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bubblewrap command line of one cell. Everything the cell sees is named here explicitly; bwrap starts from an
 * empty root, so whatever is not listed does not exist inside.
 */
final class BwrapCommand {
    /** Descriptor numbers inside bwrap. */
    static final int BLOCK_FD = 3, INFO_FD = 4, SECCOMP_FD = 5, ARGS_FD = 6;

    private BwrapCommand() {}

    /**
     * The command line bwrap is started with. bwrap stays the cell's pid 1, whose command line the task can read:
     * the options, which name host paths, come through {@link #ARGS_FD} (see {@link #options}), and only the task's
     * own command is left on it.
     */
    static List<String> commandLine(String bwrap, CellSpec spec) {
        List<String> a = new ArrayList<>(List.of(bwrap, "--args", fd(ARGS_FD), "--"));
        a.addAll(spec.command());
        return a;
    }

    /** {@link #options} as bwrap reads them from {@link #ARGS_FD}: each followed by a NUL. */
    static byte[] encode(List<String> options) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String o : options) {
            out.writeBytes(o.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    /**
     * @param block whether the cell waits on {@link #BLOCK_FD} before it starts the task: needed when Isola must
     *     move it into its cgroup first, not when it is born there
     * @param viewMounted whether the view is in the cell's root already (idmapped), or bwrap binds it
     */
    static List<String> options(CellSpec spec, CellRootfs fs, ProcMask procMask, boolean block, boolean viewMounted) {
        // A user namespace of the cell's own, made by bwrap as the cell's host user, who therefore owns it: the
        // kernel charges what the cell's processes count per user to that user alone.
        List<String> a = new ArrayList<>(List.of(
                "--unshare-user",
                "--uid",
                id(),
                "--gid",
                id(),
                "--unshare-ipc",
                "--unshare-pid",
                "--unshare-uts",
                "--unshare-cgroup",
                "--hostname",
                "cell",
                "--die-with-parent",
                "--new-session",
                "--cap-drop",
                "ALL",
                "--info-fd",
                fd(INFO_FD),
                "--seccomp",
                fd(SECCOMP_FD),
                "--clearenv"));
        // No --unshare-net: bwrap is spawned inside the network namespace Isola made for the cell (CellNetworks).
        if (block) {
            a.addAll(List.of("--block-fd", fd(BLOCK_FD)));
        }
        for (Map.Entry<String, String> e :
                CellEnvironment.withNetwork(spec.env(), spec.network()).entrySet()) {
            a.addAll(List.of("--setenv", e.getKey(), e.getValue()));
        }
        // The cell's root is assembled already (see CellRootfs): one recursive bind, then fresh /proc and /dev.
        a.addAll(List.of("--bind", fs.root().toString(), "/", "--proc", "/proc"));
        a.addAll(procMask.bwrapArgs(fs.procCovers()));
        // bwrap's /dev is a tmpfs of half the host's RAM: read-only once set up, or a task would store there what
        // its disk quota refuses. Only /dev/shm stays writable, and it lies in the cell's tmpfs, within the quota.
        a.addAll(List.of("--dev", "/dev", "--bind", fs.shm().toString(), "/dev/shm", "--remount-ro", "/dev"));
        for (ViewEntry v : viewMounted ? List.<ViewEntry>of() : spec.view()) {
            if (v.isolaOwn()) {
                // bwrap would resolve /proc/self/fd/N in its own process: only an idmapped clone can show it
                throw new io.isola.core.IsolaException(
                        "cannot show a window's screen folder to a cell whose view is not idmapped; open it without"
                                + " --window",
                        2);
            }
            String flag = v.access() == ViewEntry.Access.READ_WRITE ? "--bind" : "--ro-bind";
            a.addAll(List.of(flag, v.hostPath().toString(), v.cellPath().toString()));
        }
        a.addAll(List.of("--chdir", workdir(spec.workdir())));
        return a;
    }

    private static String workdir(Path p) {
        return p == null ? "/home/user" : p.toString();
    }

    private static String fd(int n) {
        return Integer.toString(n);
    }

    private static String id() {
        return Integer.toString(CellUids.INSIDE);
    }
}
