package io.isola.sandbox;

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
    static final int BLOCK_FD = 3, INFO_FD = 4, SECCOMP_FD = 5;

    private BwrapCommand() {}

    /**
     * @param block whether the cell waits on {@link #BLOCK_FD} before it starts the task: needed when Isola must
     *     move it into its cgroup first, not when it is born there
     * @param viewMounted whether the view is in the cell's root already (idmapped), or bwrap binds it
     */
    static List<String> build(String bwrap, CellSpec spec, CellRootfs fs, boolean block, boolean viewMounted) {
        // A user namespace of the cell's own, made by bwrap as the cell's host user, who therefore owns it: the
        // kernel charges what the cell's processes count per user to that user alone.
        List<String> a = new ArrayList<>(List.of(bwrap,
                "--unshare-user", "--uid", id(), "--gid", id(),
                "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup",
                "--hostname", "cell", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                "--info-fd", fd(INFO_FD), "--seccomp", fd(SECCOMP_FD), "--clearenv"));
        if (block) {
            a.addAll(List.of("--block-fd", fd(BLOCK_FD)));
        }
        for (Map.Entry<String, String> e : spec.env().entrySet()) {
            a.addAll(List.of("--setenv", e.getKey(), e.getValue()));
        }
        // The cell's root is assembled already (see CellRootfs): one recursive bind, then fresh /proc and /dev.
        a.addAll(List.of("--bind", fs.root().toString(), "/", "--proc", "/proc", "--dev", "/dev"));
        for (ViewEntry v : viewMounted ? List.<ViewEntry>of() : spec.view()) {
            String flag = v.access() == ViewEntry.Access.READ_WRITE ? "--bind" : "--ro-bind";
            a.addAll(List.of(flag, v.hostPath().toString(), v.cellPath().toString()));
        }
        a.addAll(List.of("--chdir", workdir(spec.workdir()), "--"));
        a.addAll(spec.command());
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
