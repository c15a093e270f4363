package io.isola.sandbox;

import io.isola.core.Cell;
import io.isola.core.CellIds;
import io.isola.core.CellSpec;
import io.isola.core.Engine;
import io.isola.core.IsolaException;
import io.isola.core.Stdio;
import io.isola.core.ViewEntry;
import io.isola.core.audit.AuditEvent;
import io.isola.core.audit.AuditLog;
import io.isola.linux.Libc;
import io.isola.linux.Spawn;
import io.isola.linux.cgroup.Cgroup;
import io.isola.linux.cgroup.CgroupLimits;
import io.isola.linux.cgroup.CgroupTree;
import io.isola.linux.cgroup.CgroupUnavailableException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code sandbox} engine: Linux namespaces through bubblewrap, an overlayfs copy-on-write view of the golden
 * image on a per-cell tmpfs, a cgroup per cell, a seccomp filter from libseccomp, and a user namespace in which the
 * cell owns nothing of the host.
 */
public final class SandboxEngine implements Engine {
    public static final String NAME = "sandbox";
    private static final Pattern CHILD_PID = Pattern.compile("\"child-pid\"\\s*:\\s*(\\d+)");

    private final SandboxOptions options;
    private final AuditLog audit;
    private final CgroupTree cgroups;
    private final MountNamespaceThread ns;
    private final CellUserNamespace userns;
    private final Path seccompBpf;
    private final Path etcMask;
    private final Path cellsDir;
    private final ScheduledExecutorService timers;
    private final Map<String, SandboxCell> open = new ConcurrentHashMap<>();
    private final int reapedAtStart;

    public SandboxEngine(SandboxOptions options, AuditLog audit) {
        options.check();
        if (Libc.geteuid() != 0) {
            throw new IsolaException("the sandbox engine needs root for overlayfs and cgroups: run isola with sudo");
        }
        this.options = options;
        this.audit = audit;
        try {
            this.cgroups = CgroupTree.open(options.cgroupRoot(), "isola");
        } catch (CgroupUnavailableException e) {
            throw new IsolaException(e.getMessage());
        }
        this.reapedAtStart = Janitor.sweep(cgroups, audit);
        Path run = options.paths().runDir();
        this.ns = new MountNamespaceThread(run);
        this.seccompBpf = run.resolve("seccomp.bpf");
        this.etcMask = run.resolve("etc-mask");
        this.cellsDir = run.resolve("cells");
        this.userns = ns.call(() -> {
            SeccompPolicy.writeBpf(seccompBpf.toString());
            EtcMask.build(etcMask, Path.of("/etc"), CellUserNamespace.CELL_ID);
            Files.createDirectories(cellsDir);
            return CellUserNamespace.create(options.hostUid(), options.hostGid());
        });
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                .name("isola-watchdog").unstarted(r));
    }

    @Override
    public String name() {
        return NAME;
    }

    /** How many leftover cells of dead Isola processes were cleaned when this engine started. */
    public int reapedAtStart() {
        return reapedAtStart;
    }

    @Override
    public Cell start(CellSpec spec, Stdio stdio) {
        Image image = Images.resolve(spec.image(), options.paths().images(), etcMask);
        for (ViewEntry v : spec.view()) {
            if (!Files.exists(v.hostPath())) {
                throw new IsolaException("no such file or directory: " + v.hostPath() + " (given with --ro/--rw)", 2);
            }
        }
        CommandLookup.require(spec, image);
        String id = CellIds.next();
        var limits = spec.limits();
        Cgroup cg = cgroups.create(Janitor.cgroupName(id),
                new CgroupLimits(limits.memoryBytes(), limits.maxPids(), limits.cpus()));
        audit.record(AuditEvent.of("cell.created", id, "engine", NAME, "image", image.name(),
                "command", spec.command(), "view", spec.view().stream().map(v -> v.access() == ViewEntry.Access.READ_WRITE
                        ? "rw:" + v.hostPath() : "ro:" + v.hostPath()).toList(),
                "network", spec.network().name().toLowerCase(), "memory_bytes", limits.memoryBytes(),
                "max_pids", limits.maxPids(), "disk_bytes", limits.diskBytes()));
        Launch launch = null;
        try {
            launch = ns.call(() -> launch(id, spec, image, stdio));
            cg.add(launch.bwrapPid);
            int init = readChildPid(launch);
            cg.add(init);
            Libc.write(launch.blockFd, new byte[] {1});
            Libc.close(launch.blockFd);
            SandboxCell cell = new SandboxCell(id, launch.bwrapPid, init, cg, launch.rootfs, limits, this, audit, timers);
            open.put(id, cell);
            audit.record(AuditEvent.of("cell.started", id, "pid", launch.bwrapPid, "init_pid", init,
                    "cgroup", cg.name()));
            return cell;
        } catch (RuntimeException e) {
            abort(launch, cg);
            throw e instanceof IsolaException ie ? ie : new IsolaException("cannot start the cell: " + e.getMessage(), e);
        }
    }

    private record Launch(int bwrapPid, int blockFd, int infoFd, CellRootfs rootfs) {}

    /** Runs on the mount namespace thread. */
    private Launch launch(String id, CellSpec spec, Image image, Stdio stdio) {
        CellRootfs fs = CellRootfs.mount(cellsDir, id, image, spec.limits().diskBytes(), options.hostUid(),
                options.hostGid());
        int[] block = null, info = null;
        int in = -1, out = -1, err = -1;
        try {
            block = Libc.pipe();
            info = Libc.pipe();
            Spawn s = Spawn.of(BwrapCommand.build(options.bwrap().toString(), spec, image, fs))
                    .fd(BwrapCommand.USERNS_FD, userns.fd())
                    .fd(BwrapCommand.BLOCK_FD, block[0])
                    .fd(BwrapCommand.INFO_FD, info[1])
                    .openReadOnly(BwrapCommand.SECCOMP_FD, seccompBpf.toString());
            if (stdio.in() != null) {
                s.fd(0, in = Libc.openReadOnly(stdio.in().toString()));
            }
            if (stdio.out() != null) {
                s.fd(1, out = Libc.openWrite(stdio.out().toString(), false));
            }
            if (stdio.err() != null) {
                s.fd(2, err = stdio.err().equals(stdio.out()) ? out : Libc.openWrite(stdio.err().toString(), false));
            }
            int pid = s.start();
            return new Launch(pid, block[1], info[0], fs);
        } catch (RuntimeException e) {
            if (block != null) {
                Libc.close(block[1]);
            }
            if (info != null) {
                Libc.close(info[0]);
            }
            fs.unmount();
            throw e;
        } finally {
            if (block != null) {
                Libc.close(block[0]);
            }
            if (info != null) {
                Libc.close(info[1]);
            }
            Libc.close(in);
            Libc.close(out);
            if (err != out) {
                Libc.close(err);
            }
        }
    }

    /** bwrap reports its child's host pid on the info descriptor, then closes it. */
    private static int readChildPid(Launch launch) {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try {
            for (byte[] chunk; (chunk = Libc.read(launch.infoFd, 4096)).length > 0; ) {
                json.writeBytes(chunk);
            }
        } finally {
            Libc.close(launch.infoFd);
        }
        Matcher m = CHILD_PID.matcher(json.toString(StandardCharsets.UTF_8));
        if (!m.find()) {
            int code = Libc.exitCode(Libc.waitpid(launch.bwrapPid, 0));
            throw new IsolaException("bubblewrap could not set up the cell (exit code " + code
                    + "); its own message is above");
        }
        return Integer.parseInt(m.group(1));
    }

    private void abort(Launch launch, Cgroup cg) {
        if (launch != null) {
            Libc.close(launch.blockFd);
            Libc.kill(launch.bwrapPid, Libc.SIGKILL);
            try {
                Libc.waitpid(launch.bwrapPid, 0);
            } catch (RuntimeException ignored) {
                // already reaped by readChildPid
            }
            CellRootfs fs = launch.rootfs;
            ns.call(() -> {
                fs.unmount();
                return null;
            });
        }
        cg.killAll();
        cg.remove();
    }

    /** Called by a closing cell once its processes are gone. */
    void release(SandboxCell cell, CellRootfs rootfs) {
        try {
            ns.call(() -> {
                rootfs.unmount();
                return null;
            });
        } finally {
            open.remove(cell.id());
            audit.record(AuditEvent.of("cell.closed", cell.id()));
        }
    }

    /** Mount table of the engine's private namespace, as /proc shows it. */
    Path privateMountInfo() {
        return ns.procTask().resolve("mountinfo");
    }

    /** The cells this engine has open now. */
    public List<Cell> cells() {
        return List.copyOf(open.values());
    }

    @Override
    public void close() {
        for (SandboxCell c : List.copyOf(open.values())) {
            c.close();
        }
        timers.shutdownNow();
        ns.call(() -> {
            userns.close();
            return null;
        });
        ns.close();
    }
}
