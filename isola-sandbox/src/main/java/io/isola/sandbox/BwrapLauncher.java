package io.isola.sandbox;

import io.isola.core.CellSpec;
import io.isola.core.IsolaException;
import io.isola.core.Stdio;
import io.isola.core.Trace;
import io.isola.linux.Libc;
import io.isola.linux.Spawn;
import io.isola.linux.cgroup.CgroupTree;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts a prepared cell's bwrap: inside the cell's mount namespace, from the namespace thread (as the cell's host
 * user, so that bwrap makes the cell's user namespace owned by that user and the kernel charges the cell's per-user
 * counts to it alone), born in the cell's cgroup where the kernel allows it, with the seccomp program and the info
 * pipe as extra descriptors. The task's view is idmapped into the cell's root beforehand; where it cannot be, the
 * cell runs as the caller instead, with bwrap's plain binds, as every cell once did, unless the caller is root: a
 * cell never runs as host root, and is refused.
 */
final class BwrapLauncher {
    private static final Pattern CHILD_PID = Pattern.compile("\"child-pid\"\\s*:\\s*(\\d+)");

    /**
     * @param bwrapPid the supervisor (host pid) @param initPid the cell's pid 1 (host pid) @param hostUid what the
     *     cell runs as @param shared why the cell runs as the caller rather than a uid of its own, or null
     */
    record Started(int bwrapPid, int initPid, int hostUid, IdmappedView.Refusal shared) {}

    private record Spawned(
            int bwrapPid, int blockFd, int infoFd, boolean bornInCgroup, int hostUid, IdmappedView.Refusal shared) {}

    private final Path bwrap;
    private final MountNamespaceThread ns;
    private final CgroupTree cgroups;
    private final IdmapNamespaces idmaps;
    private final Path seccompBpf;
    private final ProcMask procMask;
    private final int callerUid, callerGid;
    private final CellNetworks networks;

    BwrapLauncher(
            Path bwrap,
            MountNamespaceThread ns,
            CgroupTree cgroups,
            IdmapNamespaces idmaps,
            Path seccompBpf,
            ProcMask procMask,
            int callerUid,
            int callerGid,
            CellNetworks networks) {
        this.networks = networks;
        this.bwrap = bwrap;
        this.ns = ns;
        this.cgroups = cgroups;
        this.idmaps = idmaps;
        this.seccompBpf = seccompBpf;
        this.procMask = procMask;
        this.callerUid = callerUid;
        this.callerGid = callerGid;
    }

    /**
     * @param proxy receives the cell's proxy when it reaches out (bound before bwrap starts), even if the start then
     *     fails: the caller owns it
     */
    Started start(CellSpec spec, PreparedCell cell, Stdio stdio, CellProxy[] proxy) {
        // Here, not on the namespace thread: the check runs on a thread of its own, which must not be born in the
        // cell's cgroup (cgroup v1 moves single threads, and a cell's end kills every process with a thread there).
        ViewAccess.check(spec.view(), callerUid, callerGid);
        Spawned spawned;
        int[] fds = open(stdio);
        try {
            spawned = ns.call(() -> networks.spawnInside(
                    cell.network(), cell.id(), spec.network().egress(), proxy, () -> spawnInCell(spec, cell, fds)));
        } finally {
            closeAll(fds);
        }
        Trace.mark("bwrap spawned");
        boolean reaped = false;
        try {
            int init = readChildPid(spawned);
            if (init < 0) {
                reaped = true;
                int code = Libc.exitCode(Libc.waitpid(spawned.bwrapPid(), 0));
                throw new IsolaException(
                        "bubblewrap could not set up the cell (exit code " + code + "); its own message is above");
            }
            Trace.mark("cell pid 1 known");
            if (!spawned.bornInCgroup()) {
                // Only the cell's pid 1 moves (everything of the task descends from it, and it waits on the block
                // descriptor until it is in); bwrap's outer process is Isola's supervisor, not the task.
                cell.cgroup().add(init);
                Libc.write(spawned.blockFd(), new byte[] {1});
            }
            return new Started(spawned.bwrapPid(), init, spawned.hostUid(), spawned.shared());
        } catch (RuntimeException e) {
            if (!reaped) {
                Libc.kill(spawned.bwrapPid(), Libc.SIGKILL);
                Libc.waitpid(spawned.bwrapPid(), 0);
            }
            throw e;
        } finally {
            Libc.close(spawned.blockFd());
        }
    }

    /**
     * Runs on the namespace thread. Where the kernel allows it, the thread steps into the cell's cgroup first (from
     * the base namespace: the cell's own has no /sys), so that bwrap is born there.
     */
    private Spawned spawnInCell(CellSpec spec, PreparedCell cell, int[] stdio) {
        if (!cgroups.canSpawnInside()) {
            return inCellNamespace(spec, cell, stdio, false);
        }
        return cgroups.spawnInside(cell.cgroup(), () -> inCellNamespace(spec, cell, stdio, true));
    }

    private Spawned inCellNamespace(CellSpec spec, PreparedCell cell, int[] stdio, boolean bornInside) {
        try {
            return ns.inNamespace(cell.rootfs().namespace(), () -> spawn(spec, cell, stdio, bornInside));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs on the namespace thread, inside the cell's mount namespace. */
    private Spawned spawn(CellSpec spec, PreparedCell cell, int[] stdio, boolean bornInside) {
        int[] block = null, info = null;
        int seccomp = -1, args = -1;
        try {
            cell.rootfs().addMountPoints(spec.view());
            int own = cell.uid().uid();
            IdmappedView.Refusal shared =
                    spec.view().isEmpty() ? null : IdmappedView.mount(spec.view(), cell.rootfs(), idmaps.forCell(own));
            if (shared != null && (callerUid == 0 || callerGid == 0)) {
                throw new IsolaException(
                        "cannot show " + shared.hostPath() + " to the cell: its file system cannot "
                                + "be idmapped (" + shared.reason()
                                + "), and a cell never runs as host root itself: give a "
                                + "copy on a local disk, or set ISOLA_CELL_UID and ISOLA_CELL_GID to a user who may use it",
                        2);
            }
            int uid = shared == null ? own : callerUid, gid = shared == null ? own : callerGid;
            if (shared != null) {
                cell.rootfs().reown(uid, gid);
            }
            cell.rootfs().addTaskFiles(spec.files());
            writeOptions(
                    cell.rootfs().bwrapArgs(),
                    BwrapCommand.options(spec, cell.rootfs(), procMask, !bornInside, shared == null));
            info = Libc.pipe();
            Spawn s = Spawn.of(BwrapCommand.commandLine(bwrap.toString(), spec))
                    .fd(
                            BwrapCommand.ARGS_FD,
                            args = Libc.openReadOnly(cell.rootfs().bwrapArgs().toString()))
                    .fd(BwrapCommand.INFO_FD, info[1])
                    .fd(BwrapCommand.SECCOMP_FD, seccomp = Libc.openReadOnly(seccompBpf.toString()));
            if (!bornInside) {
                block = Libc.pipe();
                s.fd(BwrapCommand.BLOCK_FD, block[0]);
            }
            for (int i = 0; i < 3; i++) {
                if (stdio[i] >= 0) {
                    s.fd(i, stdio[i]);
                }
            }
            int pid;
            try {
                ns.becomeUser(uid, gid);
                pid = s.start();
            } finally {
                ns.becomeCaller();
            }
            return new Spawned(pid, block == null ? -1 : block[1], info[0], bornInside, uid, shared);
        } catch (RuntimeException e) {
            if (block != null) {
                Libc.close(block[1]);
            }
            if (info != null) {
                Libc.close(info[0]);
            }
            throw e;
        } finally {
            // opened here as root: the child opens nothing, it is the cell's user already
            Libc.close(seccomp);
            Libc.close(args);
            if (block != null) {
                Libc.close(block[0]);
            }
            if (info != null) {
                Libc.close(info[1]);
            }
        }
    }

    /** A file in the cell's tmpfs, outside its root: the cell never sees it, and it goes with the cell. */
    private static void writeOptions(Path file, java.util.List<String> options) {
        int fd = Libc.openWrite(file.toString(), false);
        try {
            Libc.write(fd, BwrapCommand.encode(options));
        } finally {
            Libc.close(fd);
        }
    }

    /**
     * Opens the task's standard streams on the caller's thread and as the caller: the namespace thread runs as the
     * cell's user, and a file it created would belong to that user.
     */
    private static int[] open(Stdio stdio) {
        int[] fds = {-1, -1, -1};
        try {
            if (stdio.in() != null) {
                fds[0] = Stdio.descriptor(stdio.in()) >= 0
                        ? Libc.dupCloexec(Stdio.descriptor(stdio.in()))
                        : Libc.openReadOnly(stdio.in().toString());
            }
            if (stdio.out() != null) {
                fds[1] = writable(stdio.out());
            }
            if (stdio.err() != null) {
                fds[2] = stdio.err().equals(stdio.out()) ? fds[1] : writable(stdio.err());
            }
            return fds;
        } catch (RuntimeException e) {
            closeAll(fds);
            throw new IsolaException("cannot open the task's standard streams: " + e.getMessage(), e);
        }
    }

    /** A descriptor handed over (the service's client's) is duplicated, never reopened: see Stdio.descriptors. */
    private static int writable(java.nio.file.Path p) {
        int fd = Stdio.descriptor(p);
        return fd >= 0 ? Libc.dupCloexec(fd) : Libc.openWrite(p.toString(), false);
    }

    private static void closeAll(int[] fds) {
        Libc.close(fds[0]);
        Libc.close(fds[1]);
        if (fds[2] != fds[1]) {
            Libc.close(fds[2]);
        }
    }

    /** bwrap reports its child's host pid on the info descriptor, then closes it; -1 when bwrap failed first. */
    private static int readChildPid(Spawned spawned) {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try {
            for (byte[] chunk; (chunk = Libc.read(spawned.infoFd(), 4096)).length > 0; ) {
                json.writeBytes(chunk);
            }
        } finally {
            Libc.close(spawned.infoFd());
        }
        Matcher m = CHILD_PID.matcher(json.toString(StandardCharsets.UTF_8));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
