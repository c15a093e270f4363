package io.isola.sandbox;

import io.isola.core.CellIds;
import io.isola.core.IsolaException;
import io.isola.core.Limits;
import io.isola.core.Trace;
import io.isola.linux.cgroup.Cgroup;
import io.isola.linux.cgroup.CgroupLimits;
import io.isola.linux.cgroup.CgroupTree;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The warm pool: cells prepared ahead (cgroup and root file system) for tasks on the default image and limits, so
 * that a task waits only for bwrap. Preparation runs on a thread of its own; the first cell is prepared while the
 * engine starts, and refills follow each take unless the engine serves a single task.
 */
final class CellPool implements AutoCloseable {
    private final SandboxOptions options;
    private final CgroupTree cgroups;
    private final Image image;
    private final Path cellMount;
    private final Future<Void> filesReady;
    private final MountNamespaceThread preparer;
    private final CellUids uids;
    private final CellNetworks networks;
    private final BlockingQueue<PreparedCell> cells = new LinkedBlockingQueue<>();
    /** Cells being prepared right now; a task that finds the pool empty waits for one of them. */
    private final AtomicInteger preparing = new AtomicInteger();

    private volatile boolean closing;

    /**
     * @param filesReady done once what every cell root needs (the /etc mask, the mount point) exists
     * @param preparer the thread that prepares cells; the pool closes it
     */
    CellPool(
            SandboxOptions options,
            CgroupTree cgroups,
            Image image,
            Path cellMount,
            Future<Void> filesReady,
            MountNamespaceThread preparer,
            CellUids uids,
            CellNetworks networks) {
        this.networks = networks;
        this.options = options;
        this.uids = uids;
        this.cgroups = cgroups;
        this.image = image;
        this.cellMount = cellMount;
        this.filesReady = filesReady;
        this.preparer = preparer;
    }

    /**
     * Prepares the first cell: its cgroup here (no C call needed, so this runs while the JVM still links to C), its
     * root on the preparer thread, right after the /etc mask.
     */
    void prepareFirst() {
        if (options.poolSize() <= 0) {
            return;
        }
        String id = CellIds.next();
        Cgroup cg = cgroups.create(Janitor.cgroupName(id), cgroupLimits(Limits.DEFAULT));
        Trace.mark("first cell's cgroup made");
        preparing.incrementAndGet();
        preparer.submit(() -> {
            try {
                try {
                    preparer.await(filesReady); // fails when the base namespace did (it checks that first)
                } catch (RuntimeException e) {
                    cg.remove(); // the engine's start-up failed: this cell will never be made
                    throw e;
                }
                cells.add(prepare(preparer, id, cg, image, Limits.DEFAULT));
            } finally {
                preparing.decrementAndGet();
            }
        });
        if (options.poolSize() > 1) {
            refillNow(); // the pool's first filling, also where it prepares only once
        }
    }

    /** A prepared cell for a task: from the pool when it fits, otherwise made now on {@code ns}. */
    PreparedCell take(Image taskImage, Limits limits, MountNamespaceThread ns) {
        boolean fits = taskImage == image && limits.diskBytes() == Limits.DEFAULT.diskBytes();
        PreparedCell cell = fits ? cells.poll() : null;
        if (cell == null && fits && preparing.get() > 0) {
            // A cell is being prepared right now (at start-up, say): waiting for it beats preparing a second one.
            try {
                cell = cells.poll(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IsolaException("interrupted while waiting for a prepared cell");
            }
        }
        if (cell == null) {
            return ns.call(() -> prepareNew(ns, taskImage, limits));
        }
        // Fields compared by hand: a record's first equals() bootstraps an invokedynamic call site, ~15 ms cold.
        Limits d = Limits.DEFAULT;
        if (limits.memoryBytes() != d.memoryBytes() || limits.maxPids() != d.maxPids() || limits.cpus() != d.cpus()) {
            try {
                cell.cgroup().limit(cgroupLimits(limits));
            } catch (RuntimeException e) {
                cell.discard();
                throw e;
            }
        }
        return cell;
    }

    /**
     * How long a refill waits while the pool still holds a cell. The task that just took one runs its first
     * milliseconds (its handler's exec, a window's display) with the machine to itself: preparing a cell beside it
     * (a cgroup, a root, a network namespace) cost a double-click's handler a few ms on two cores. A pool left empty
     * refills at once: a burst of tasks needs cells more than the first task needs quiet.
     */
    static final long REFILL_DELAY_MS = 100;

    /** Tops the pool up in the background, unless this pool prepares only once. */
    void refill() {
        if (!options.refill() || closing) {
            return;
        }
        if (cells.isEmpty()) {
            refillNow();
            return;
        }
        Thread.ofVirtual().name("isola-refill-later").start(() -> {
            try {
                Thread.sleep(REFILL_DELAY_MS);
                refillNow();
            } catch (InterruptedException | java.util.concurrent.RejectedExecutionException e) {
                // the engine closed meanwhile: nothing to refill
            }
        });
    }

    private void refillNow() {
        if (closing) {
            return;
        }
        preparer.submit(() -> {
            preparer.await(filesReady);
            while (!closing) {
                synchronized (cells) {
                    if (cells.size() + preparing.get() >= options.poolSize()) {
                        return;
                    }
                    preparing.incrementAndGet();
                }
                try {
                    cells.add(prepareNew(preparer, image, Limits.DEFAULT));
                } finally {
                    preparing.decrementAndGet();
                }
            }
        });
    }

    /** A cell with a new id and cgroup; runs on {@code thread}, a mount namespace thread. */
    private PreparedCell prepareNew(MountNamespaceThread thread, Image img, Limits limits) {
        String id = CellIds.next();
        return prepare(thread, id, cgroups.create(Janitor.cgroupName(id), cgroupLimits(limits)), img, limits);
    }

    /**
     * Runs on {@code thread}, a mount namespace thread; the cgroup, the uid and the network namespace are given
     * back if the root cannot be made. The cell's writable places belong to its own host uid from the start; the
     * network namespace is made here, off the task's path, for every cell (see {@link CellNetworks}).
     */
    private PreparedCell prepare(MountNamespaceThread thread, String id, Cgroup cg, Image img, Limits limits) {
        CellUids.Lease uid = null;
        CellNetworks.Namespace net = null;
        try {
            uid = uids.take();
            net = networks.make();
            PreparedCell cell = new PreparedCell(
                    id,
                    cg,
                    CellRootfs.mount(thread, cellMount, img, limits.diskBytes(), uid.uid(), uid.uid()),
                    uid,
                    net);
            Trace.mark("cell prepared");
            return cell;
        } catch (RuntimeException e) {
            if (net != null) {
                net.close();
            }
            cg.remove();
            if (uid != null) {
                uid.close();
            }
            throw e;
        }
    }

    static CgroupLimits cgroupLimits(Limits l) {
        return new CgroupLimits(l.memoryBytes(), l.maxPids(), l.cpus());
    }

    /** Stops refilling and drops every prepared cell. */
    @Override
    public void close() {
        closing = true;
        preparer.call(() -> null); // a preparation in progress finishes first
        preparer.close();
        for (PreparedCell c; (c = cells.poll()) != null; ) {
            c.discard();
        }
    }
}
