package io.isola.sandbox;

import io.isola.core.Cell;
import io.isola.core.CellIds;
import io.isola.core.CellSpec;
import io.isola.core.Engine;
import io.isola.core.FileViewRules;
import io.isola.core.Host;
import io.isola.core.IsolaException;
import io.isola.core.Stdio;
import io.isola.core.Trace;
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
import io.isola.core.Limits;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
    /** Spawns cells; never waits behind preparation work. */
    private final MountNamespaceThread ns;
    /** Prepares the pool's cells in the background. */
    private final MountNamespaceThread preparer;
    private final CellUserNamespace userns;
    private final Path seccompBpf;
    private final Path etcMask;
    /** Where each cell's root is mounted, in the cell's own mount namespace. */
    private final Path cellMount;
    private final ScheduledExecutorService timers;
    /** Platform threads that block in waitpid, one per running cell, reused across cells. */
    private final ExecutorService waiters = Executors.newCachedThreadPool(r -> Thread.ofPlatform().daemon()
            .name("isola-wait").unstarted(r));
    /** Removes emptied cgroups in the background: on cgroup v1 that waits for the kernel, up to milliseconds. */
    private final ExecutorService cleaner = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon()
            .name("isola-cleaner").unstarted(r));
    private final Map<String, SandboxCell> open = new ConcurrentHashMap<>();
    private final int reapedAtStart;
    /** Cells prepared ahead (cgroup and root file system, no process yet) for tasks on the default image. */
    private final BlockingQueue<Slot> pool = new LinkedBlockingQueue<>();
    private final Future<Void> filesReady;
    private final java.util.concurrent.atomic.AtomicInteger preparing = new java.util.concurrent.atomic.AtomicInteger();
    private final Image hostImage;
    private volatile boolean closing;
    private final java.util.concurrent.atomic.AtomicReference<CompletableFuture<Void>> closed =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** A prepared, not yet started cell. */
    private record Slot(String id, Cgroup cgroup, CellRootfs rootfs) {}

    public SandboxEngine(SandboxOptions options, AuditLog audit) {
        options.check();
        if (!Host.isRoot()) {
            throw new IsolaException("the sandbox engine needs root for overlayfs and cgroups: run isola with sudo");
        }
        this.options = options;
        this.audit = audit;
        Path run = options.paths().runDir();
        this.etcMask = run.resolve("etc-mask");
        this.cellMount = run.resolve("cell");
        // Start-up work runs on two threads at once: the namespace thread sets up mounts, the seccomp program and
        // the user namespace, while this thread deals with cgroups. It is most of a command-line start.
        this.ns = new MountNamespaceThread(run, options.hostUid(), options.hostGid());
        Future<CellUserNamespace.Pending> helper = ns.submit(() -> {
            CellUserNamespace.Pending p = CellUserNamespace.begin(options.hostUid(), options.hostGid());
            Trace.mark("user namespace helper spawned");
            return p;
        });
        // What preparing a cell needs; the pool starts preparing as soon as this is done.
        this.filesReady = ns.submit(() -> {
            EtcMask.build(etcMask, Path.of("/etc"), CellUserNamespace.CELL_ID);
            Files.createDirectories(cellMount);
            Trace.mark("etc mask built");
            return null;
        });
        this.seccompBpf = SeccompPolicy.program(options.paths().root().resolve("cache"));
        try {
            this.cgroups = CgroupTree.open(options.cgroupRoot(), "isola");
        } catch (CgroupUnavailableException e) {
            ns.close();
            throw new IsolaException(e.getMessage());
        }
        this.hostImage = Images.resolve(Images.HOST, options.paths().images(), etcMask);
        Trace.mark("cgroups open");
        this.reapedAtStart = Janitor.sweep(cgroups, audit);
        Trace.mark("stale cells swept");
        // The first prepared cell: its cgroup from here, its root on the namespace thread right after the /etc mask,
        // while the user namespace helper starts up. Refills, if any, run on a thread of their own.
        prepareFirstCell();
        Future<CellUserNamespace> setup = ns.submit(() -> helper.get().finish());
        this.preparer = options.refill() ? new MountNamespaceThread(ns, "isola-prepare") : null;
        if (options.poolSize() > 1) {
            fillPool();
        }
        this.userns = ns.await(setup);
        Trace.mark("user namespace ready");
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
        Image image = Images.HOST.equals(spec.image()) ? hostImage
                : Images.resolve(spec.image(), options.paths().images(), etcMask);
        FileViewRules.check(spec.view());
        CommandLookup.require(spec, image);
        Slot slot = take(spec, image);
        Trace.mark("prepared cell taken");
        String id = slot.id();
        Cgroup cg = slot.cgroup();
        var limits = spec.limits();
        audit.record(AuditEvent.of("cell.created", id, "engine", NAME, "image", image.name(),
                "command", spec.command(), "view", spec.view().stream().map(v -> v.access() == ViewEntry.Access.READ_WRITE
                        ? "rw:" + v.hostPath() : "ro:" + v.hostPath()).toList(),
                "network", spec.network().name().toLowerCase(), "memory_bytes", limits.memoryBytes(),
                "max_pids", limits.maxPids(), "disk_bytes", limits.diskBytes()));
        Launch launch = null;
        try {
            int[] fds = open(stdio);
            try {
                launch = ns.call(() -> ns.inNamespace(slot.rootfs().namespace(), () -> launch(spec, slot, fds)));
            } finally {
                closeAll(fds);
            }
            Trace.mark("bwrap spawned");
            int init = readChildPid(launch);
            Trace.mark("cell pid 1 known");
            if (!launch.bornInCgroup) {
                // Only the cell's pid 1 moves (everything of the task descends from it, and it waits on the block
                // descriptor until it is in); bwrap's outer process is Isola's supervisor, not the task.
                cg.add(init);
                Libc.write(launch.blockFd, new byte[] {1});
                Libc.close(launch.blockFd);
            }
            SandboxCell cell = new SandboxCell(id, launch.bwrapPid, init, cg, slot.rootfs(), limits, this, audit,
                    timers, waiters);
            open.put(id, cell);
            audit.record(AuditEvent.of("cell.started", id, "pid", launch.bwrapPid, "init_pid", init,
                    "cgroup", cg.name()));
            return cell;
        } catch (RuntimeException e) {
            abort(launch, slot);
            throw e instanceof IsolaException ie ? ie : new IsolaException("cannot start the cell: " + e.getMessage(), e);
        } finally {
            refill();
        }
    }

    /** A prepared cell for this task: from the pool when it fits, otherwise made now. */
    private Slot take(CellSpec spec, Image image) {
        Limits limits = spec.limits();
        boolean fits = image == hostImage && limits.diskBytes() == Limits.DEFAULT.diskBytes();
        Slot slot = fits ? pool.poll() : null;
        if (slot == null && fits && preparing.get() > 0) {
            // A cell is being prepared right now (at start-up, say): waiting for it beats preparing a second one.
            try {
                slot = pool.poll(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IsolaException("interrupted while waiting for a prepared cell");
            }
        }
        if (slot == null) {
            return ns.call(() -> prepare(ns, CellIds.next(), image, limits));
        }
        // Fields compared by hand: a record's first equals() bootstraps an invokedynamic call site, ~15 ms cold.
        Limits d = Limits.DEFAULT;
        if (limits.memoryBytes() != d.memoryBytes() || limits.maxPids() != d.maxPids() || limits.cpus() != d.cpus()) {
            try {
                slot.cgroup().limit(cgroupLimits(limits));
            } catch (RuntimeException e) {
                discard(slot);
                throw e;
            }
        }
        return slot;
    }

    /** Runs on a mount namespace thread. */
    /** Runs on {@code thread}, a mount namespace thread. */
    private Slot prepare(MountNamespaceThread thread, String id, Image image, Limits limits) {
        return prepare(thread, id, cgroups.create(Janitor.cgroupName(id), cgroupLimits(limits)), image, limits);
    }

    private Slot prepare(MountNamespaceThread thread, String id, Cgroup cg, Image image, Limits limits) {
        try {
            Slot slot = new Slot(id, cg, CellRootfs.mount(thread, cellMount, image, limits.diskBytes(),
                    options.hostUid(), options.hostGid()));
            Trace.mark("cell prepared");
            return slot;
        } catch (RuntimeException e) {
            cg.remove();
            throw e;
        }
    }

    private void prepareFirstCell() {
        if (options.poolSize() <= 0) {
            return;
        }
        String id = CellIds.next();
        Cgroup cg = cgroups.create(Janitor.cgroupName(id), cgroupLimits(Limits.DEFAULT));
        Trace.mark("first cell's cgroup made");
        preparing.incrementAndGet();
        ns.submit(() -> {
            try {
                pool.add(prepare(ns, id, cg, hostImage, Limits.DEFAULT));
            } finally {
                preparing.decrementAndGet();
            }
        });
    }

    private static CgroupLimits cgroupLimits(Limits l) {
        return new CgroupLimits(l.memoryBytes(), l.maxPids(), l.cpus());
    }

    /** Tops the pool up in the background after a launch took from it, unless this engine prepares only once. */
    private void refill() {
        if (options.refill()) {
            fillPool();
        }
    }

    private void fillPool() {
        if (preparer == null || closing) {
            return;
        }
        preparer.submit(() -> {
            preparer.await(filesReady);
            while (!closing) {
                synchronized (pool) {
                    if (pool.size() + preparing.get() >= options.poolSize()) {
                        return;
                    }
                    preparing.incrementAndGet();
                }
                try {
                    pool.add(prepare(preparer, CellIds.next(), hostImage, Limits.DEFAULT));
                } finally {
                    preparing.decrementAndGet();
                }
            }
        });
    }

    private static void discard(Slot slot) {
        try {
            slot.rootfs().release();
        } finally {
            slot.cgroup().remove();
        }
    }

    private record Launch(int bwrapPid, int blockFd, int infoFd, boolean bornInCgroup) {}

    /** Runs on the mount namespace thread; {@code stdio} holds descriptors for 0, 1, 2 (or -1: inherit). */
    private Launch launch(CellSpec spec, Slot slot, int[] stdio) {
        CellRootfs fs = slot.rootfs();
        boolean bornInside = cgroups.canSpawnInside();
        int[] block = null, info = null;
        try {
            fs.addMountPoints(spec.view());
            info = Libc.pipe();
            Spawn s = Spawn.of(BwrapCommand.build(options.bwrap().toString(), spec, fs, !bornInside))
                    .fd(BwrapCommand.USERNS_FD, userns.fd())
                    .fd(BwrapCommand.INFO_FD, info[1])
                    .openReadOnly(BwrapCommand.SECCOMP_FD, seccompBpf.toString());
            if (!bornInside) {
                block = Libc.pipe();
                s.fd(BwrapCommand.BLOCK_FD, block[0]);
            }
            for (int i = 0; i < 3; i++) {
                if (stdio[i] >= 0) {
                    s.fd(i, stdio[i]);
                }
            }
            int pid = bornInside ? cgroups.spawnInside(slot.cgroup(), s::start) : s.start();
            return new Launch(pid, block == null ? -1 : block[1], info[0], bornInside);
        } catch (RuntimeException e) {
            if (block != null) {
                Libc.close(block[1]);
            }
            if (info != null) {
                Libc.close(info[0]);
            }
            throw e;
        } finally {
            if (block != null) {
                Libc.close(block[0]);
            }
            if (info != null) {
                Libc.close(info[1]);
            }
        }
    }

    /**
     * Opens the task's standard streams here, on the caller's thread and as the caller: the namespace thread runs
     * as the cell's user, and a file it created would belong to that user.
     */
    private static int[] open(Stdio stdio) {
        int[] fds = {-1, -1, -1};
        try {
            if (stdio.in() != null) {
                fds[0] = Libc.openReadOnly(stdio.in().toString());
            }
            if (stdio.out() != null) {
                fds[1] = Libc.openWrite(stdio.out().toString(), false);
            }
            if (stdio.err() != null) {
                fds[2] = stdio.err().equals(stdio.out()) ? fds[1] : Libc.openWrite(stdio.err().toString(), false);
            }
            return fds;
        } catch (RuntimeException e) {
            closeAll(fds);
            throw new IsolaException("cannot open the task's standard streams: " + e.getMessage(), e);
        }
    }

    private static void closeAll(int[] fds) {
        Libc.close(fds[0]);
        Libc.close(fds[1]);
        if (fds[2] != fds[1]) {
            Libc.close(fds[2]);
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

    private void abort(Launch launch, Slot slot) {
        if (launch != null) {
            Libc.close(launch.blockFd);
            Libc.kill(launch.bwrapPid, Libc.SIGKILL);
            try {
                Libc.waitpid(launch.bwrapPid, 0);
            } catch (RuntimeException ignored) {
                // already reaped by readChildPid
            }
        }
        slot.cgroup().killAll();
        discard(slot);
    }

    /** Called by a closing cell once its processes are gone. */
    void release(SandboxCell cell, CellRootfs rootfs, Cgroup cgroup) {
        rootfs.release();
        Runnable clean = () -> {
            cgroup.killAll();
            cgroup.remove();
            audit.record(AuditEvent.of("cell.closed", cell.id()));
        };
        synchronized (open) {
            open.remove(cell.id());
            if (!cleaner.isShutdown()) {
                cleaner.execute(clean);
                return;
            }
        }
        clean.run(); // the engine is shutting down: no one is left to do it later
    }

    /** Mount table of the engine's base namespace, as /proc shows it. */
    Path privateMountInfo() {
        return ns.procTask().resolve("mountinfo");
    }

    /** The cells this engine has open now. */
    public List<Cell> cells() {
        return List.copyOf(open.values());
    }

    /**
     * Closes every cell and removes every trace of this engine. Safe to call from several threads at once (say, the
     * main thread and a Ctrl-C shutdown hook): every caller returns only when all is clean.
     */
    @Override
    public void close() {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> first = closed.compareAndExchange(null, mine);
        if (first != null) {
            first.join();
            return;
        }
        try {
            closing = true;
            for (SandboxCell c : List.copyOf(open.values())) {
                c.close();
            }
            // Cells that their owners are closing right now finish their release first.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            ns.call(() -> null); // a first cell in preparation is ready first
            if (preparer != null) {
                preparer.call(() -> null); // so is a refill in progress
                preparer.close();
            }
            for (Slot s; (s = pool.poll()) != null; ) {
                discard(s);
            }
            timers.shutdownNow();
            waiters.shutdown();
            synchronized (open) {
                cleaner.shutdown();
            }
            if (!cleaner.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IsolaException("cgroups of closed cells could not be removed within 30 s");
            }
            ns.call(() -> {
                userns.close();
                return null;
            });
            ns.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            mine.complete(null);
        }
    }
}
