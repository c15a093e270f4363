package io.isola.sandbox;

import io.isola.core.Cell;
import io.isola.core.CellSpec;
import io.isola.core.Engine;
import io.isola.core.EngineNames;
import io.isola.core.FileViewRules;
import io.isola.core.Host;
import io.isola.core.IsolaException;
import io.isola.core.Stdio;
import io.isola.core.Trace;
import io.isola.core.ViewEntry;
import io.isola.core.audit.AuditEvent;
import io.isola.core.audit.AuditLog;
import io.isola.linux.cgroup.CgroupTree;
import io.isola.linux.cgroup.CgroupUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code sandbox} engine: Linux namespaces through bubblewrap, an overlayfs copy-on-write view of the golden
 * image on a per-cell tmpfs, a cgroup per cell, a seccomp filter from libseccomp, and a user namespace in which the
 * cell owns nothing of the host, as a host uid of its own.
 */
public final class SandboxEngine implements Engine {
    public static final String NAME = EngineNames.SANDBOX;

    private final SandboxOptions options;
    private final AuditLog audit;
    private final CgroupTree cgroups;
    /** Mounts and spawns; runs as the caller, and as each cell's host user to spawn it (see MountNamespaceThread). */
    private final MountNamespaceThread ns;
    /** Used on {@link #ns} only. */
    private final IdmapNamespaces idmaps;

    private final Path etcMask;
    private final Image hostImage;
    private final CellPool pool;
    private final BwrapLauncher launcher;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("isola-watchdog").unstarted(r));
    /** Platform threads that block in waitpid, one per running cell, reused across cells. */
    private final ExecutorService waiters = Executors.newCachedThreadPool(
            r -> Thread.ofPlatform().daemon().name("isola-wait").unstarted(r));
    /** Removes emptied cgroups in the background: on cgroup v1 that waits for the kernel, up to milliseconds. */
    private final ExecutorService cleaner = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("isola-cleaner").unstarted(r));

    private final Map<String, SandboxCell> open = new ConcurrentHashMap<>();
    /** Makes the cells' network namespaces; holds the host's. */
    private final CellNetworks networks;
    /** The proxy listeners of open cells that reach out, by cell id. */
    private final Map<String, CellProxy> proxies = new ConcurrentHashMap<>();

    private final AtomicReference<CompletableFuture<Void>> closed = new AtomicReference<>();

    /**
     * Throws the one line a plain user should see first: a front-end calls this before it touches state, so that
     * the reason it cannot work at all comes before a state folder it could not make.
     */
    public static void requireRoot() {
        if (!Host.isRoot()) {
            throw new IsolaException("the sandbox engine needs root for overlayfs and cgroups: run isola with sudo");
        }
    }

    public SandboxEngine(SandboxOptions options, AuditLog audit) {
        options.check();
        requireRoot();
        this.options = options;
        this.audit = audit;
        Path run = options.paths().runDir();
        this.etcMask = run.resolve("etc-mask");
        Path cellMount = run.resolve("cell");
        // Start-up runs on three threads at once, and is most of a command-line start: the namespace thread sets
        // up its namespace, the preparer builds the /etc mask and the first cell, and this thread deals with cgroups.
        this.ns = new MountNamespaceThread(run, options.callerUid(), options.callerGid());
        this.idmaps = new IdmapNamespaces(options.callerUid(), options.callerGid());
        CellUids uids = CellUids.ofThisProcess();
        MountNamespaceThread preparer = new MountNamespaceThread(ns, "isola-prepare");
        this.networks = new CellNetworks();
        try {
            // The preparer's first work waits for the base namespace, and that for C: this thread does the /etc
            // checks meanwhile, so that the preparer only writes the mask.
            List<String> hiddenInEtc = EtcMask.present(Path.of("/etc"));
            Future<Void> filesReady = preparer.submit(() -> {
                preparer.requireReady(); // in the base namespace, or nowhere: never on the host's disk
                EtcMask.build(etcMask, hiddenInEtc, CellUids.INSIDE);
                Files.createDirectories(cellMount);
                Trace.mark("etc mask built");
                return null;
            });
            Path seccompBpf = SeccompPolicy.program(options.paths().root().resolve("cache"));
            ProcMask procMask = ProcMask.of(Path.of("/proc"));
            try {
                this.cgroups = CgroupTree.open(options.cgroupRoot(), "isola");
            } catch (CgroupUnavailableException e) {
                throw new IsolaException(e.getMessage());
            }
            this.hostImage = Images.resolve(Images.HOST, options.paths().images(), etcMask);
            Trace.mark("cgroups open");
            Janitor.sweep(cgroups, audit);
            Trace.mark("stale cells swept");
            this.pool = new CellPool(options, cgroups, hostImage, cellMount, filesReady, preparer, uids, networks);
            pool.prepareFirst();
            this.launcher = new BwrapLauncher(
                    options.bwrap(),
                    ns,
                    cgroups,
                    idmaps,
                    seccompBpf,
                    procMask,
                    options.callerUid(),
                    options.callerGid(),
                    networks);
            ns.requireReady(); // ready long since, in practice: the work above ran beside it
            preparer.requireReady();
        } catch (RuntimeException e) {
            // A start-up that failed leaves nothing behind: not the threads.
            preparer.close();
            ns.close();
            networks.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Cell start(CellSpec spec, Stdio stdio) {
        Image image = Images.HOST.equals(spec.image())
                ? hostImage
                : Images.resolve(spec.image(), options.paths().images(), etcMask);
        FileViewRules.check(spec.view());
        CommandLookup.require(spec, image);
        PreparedCell prepared = pool.take(image, spec.limits(), ns);
        Trace.mark("prepared cell taken");
        CellProxy[] proxy = {null};
        try {
            audit.record(created(prepared.id(), spec, image));
            BwrapLauncher.Started started;
            try {
                started = launcher.start(spec, prepared, stdio, proxy);
            } finally {
                if (proxy[0] != null) {
                    proxies.put(prepared.id(), proxy[0]);
                }
            }
            prepared.network().close(); // bwrap runs in it now: the namespace lives as long as the cell
            if (proxy[0] != null) {
                proxy[0].start(); // here: threads started on the namespace thread would inherit its namespaces
            }
            if (started.shared() != null) {
                Trace.mark("view not idmappable: the cell shares the caller's uid");
                audit.record(AuditEvent.of(
                        "cell.uid_shared",
                        prepared.id(),
                        "path",
                        started.shared().hostPath(),
                        "reason",
                        started.shared().reason(),
                        "host_uid",
                        Integer.toUnsignedLong(started.hostUid())));
            }
            SandboxCell cell = new SandboxCell(
                    prepared,
                    started.bwrapPid(),
                    started.initPid(),
                    spec.files(),
                    spec.limits(),
                    ns,
                    closed -> release(closed, prepared),
                    audit,
                    timers,
                    waiters);
            open.put(cell.id(), cell);
            audit.record(AuditEvent.of(
                    "cell.started",
                    cell.id(),
                    "pid",
                    started.bwrapPid(),
                    "init_pid",
                    started.initPid(),
                    "cgroup",
                    prepared.cgroup().name(),
                    "host_uid",
                    Integer.toUnsignedLong(started.hostUid())));
            return cell;
        } catch (RuntimeException e) {
            prepared.cgroup().killAll();
            prepared.discard();
            closeProxy(prepared.id());
            throw e instanceof IsolaException ie
                    ? ie
                    : new IsolaException("cannot start the cell: " + e.getMessage(), e);
        } finally {
            pool.refill();
        }
    }

    private static AuditEvent created(String id, CellSpec spec, Image image) {
        List<String> view = new ArrayList<>();
        for (ViewEntry v : spec.view()) {
            view.add((v.access() == ViewEntry.Access.READ_WRITE ? "rw:" : "ro:") + v.hostPath());
        }
        var l = spec.limits();
        return AuditEvent.of(
                "cell.created",
                id,
                "engine",
                NAME,
                "image",
                image.name(),
                "command",
                spec.command(),
                "view",
                view,
                "network",
                spec.network().word(),
                "memory_bytes",
                l.memoryBytes(),
                "max_pids",
                l.maxPids(),
                "disk_bytes",
                l.diskBytes());
    }

    /**
     * Called by a closing cell once its processes are gone. Dropping the cell's mount namespace unmounts everything
     * in it, and the kernel waits for RCU there, so that and the cgroup's removal run on the cleaner thread, off the
     * caller's path. The cell leaves {@link #open} only once its clean-up is queued or done, so that {@link #close}
     * never stops the cleaner under it.
     */
    private void release(SandboxCell cell, PreparedCell parts) {
        closeProxy(cell.id()); // here, not on the cleaner: when close() returns, nothing listens for the cell
        Runnable clean = () -> {
            try {
                parts.rootfs().release();
                parts.cgroup().killAll();
                parts.cgroup().remove();
            } finally {
                parts.uid().close(); // no process of the cell is left to count against it
                audit.record(AuditEvent.of("cell.closed", cell.id()));
            }
        };
        synchronized (open) {
            if (!cleaner.isShutdown()) {
                cleaner.execute(clean);
                open.remove(cell.id());
                return;
            }
        }
        try {
            clean.run(); // the engine is shutting down: no one is left to do it later
        } finally {
            open.remove(cell.id());
        }
    }

    private void closeProxy(String cellId) {
        CellProxy p = proxies.remove(cellId);
        if (p != null) {
            p.close();
        }
    }

    /** The proxy of an open cell that reaches out (for tests). */
    CellProxy proxy(String cellId) {
        return proxies.get(cellId);
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
            for (SandboxCell c : List.copyOf(open.values())) {
                c.close();
            }
            // Cells that their owners are closing right now finish their release first.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            pool.close();
            timers.shutdownNow();
            waiters.shutdown();
            synchronized (open) {
                cleaner.shutdown();
            }
            if (!cleaner.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IsolaException("cgroups of closed cells could not be removed within 30 s");
            }
            ns.call(() -> {
                idmaps.close();
                return null;
            });
            ns.close();
            networks.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            mine.complete(null);
        }
    }
}
