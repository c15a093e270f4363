package io.isola.sandbox;

import io.isola.core.Cell;
import io.isola.core.CellExit;
import io.isola.core.Harvest;
import io.isola.core.Limits;
import io.isola.core.OutputQuota;
import io.isola.core.TaskFiles;
import io.isola.core.audit.AuditEvent;
import io.isola.core.audit.AuditLog;
import io.isola.core.output.Harvester;
import io.isola.linux.Libc;
import io.isola.linux.cgroup.Cgroup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A running sandbox cell: bwrap (the supervisor, {@link #pid()}) and below it the cell's pid 1. Killing pid 1 makes
 * the kernel kill every process of the pid namespace; the cgroup catches anything in flight.
 */
final class SandboxCell implements Cell {
    private static final long CPU_POLL_MS = 50;

    private final String id;
    private final int bwrapPid;
    private final int initPid;
    private final Cgroup cgroup;
    private final CellRootfs rootfs;
    /** Its cgroup, root and host uid, given back on close. */
    private final PreparedCell parts;

    private final TaskFiles files;
    private final long diskBytes;
    /** The thread that owns the cell's mount namespace, where its output is read. */
    private final MountNamespaceThread ns;
    /** What the engine does once the cell is closed: give back its parts, off the caller's path. */
    private final Consumer<SandboxCell> onClose;

    private final AuditLog audit;
    private final long startNanos = System.nanoTime();
    private final CompletableFuture<CellExit> exit = new CompletableFuture<>();
    /** Done once the exit is in the audit log, which must come before the cell's "closed". */
    private final CompletableFuture<Void> recorded = new CompletableFuture<>();

    private final AtomicReference<String> killedFor = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<ScheduledFuture<?>> watchdogs = new ArrayList<>();

    SandboxCell(
            PreparedCell parts,
            int bwrapPid,
            int initPid,
            TaskFiles files,
            Limits limits,
            MountNamespaceThread ns,
            Consumer<SandboxCell> onClose,
            AuditLog audit,
            ScheduledExecutorService timers,
            ExecutorService waiters) {
        this.id = parts.id();
        this.bwrapPid = bwrapPid;
        this.initPid = initPid;
        this.parts = parts;
        this.cgroup = parts.cgroup();
        this.rootfs = parts.rootfs();
        this.files = files;
        this.diskBytes = limits.diskBytes();
        this.ns = ns;
        this.onClose = onClose;
        this.audit = audit;
        if (limits.timeout() != null) {
            watchdogs.add(timers.schedule(
                    () -> limitHit("timeout", limits.timeout()),
                    limits.timeout().toMillis(),
                    TimeUnit.MILLISECONDS));
        }
        if (limits.cpuTime() != null) {
            long budget = limits.cpuTime().toNanos();
            watchdogs.add(timers.scheduleAtFixedRate(
                    () -> {
                        if (cgroup.cpuNanos() > budget) {
                            limitHit("cpu-time", limits.cpuTime());
                        }
                    },
                    CPU_POLL_MS,
                    CPU_POLL_MS,
                    TimeUnit.MILLISECONDS));
        }
        waiters.execute(this::awaitExit);
    }

    private void awaitExit() {
        int status = Libc.waitpid(bwrapPid, 0);
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        watchdogs.forEach(w -> w.cancel(false));
        int code = Libc.exitCode(status);
        String why = killedFor.get();
        // Two small cgroup files, read before the caller learns: a limit the kernel enforced is the reason to tell.
        long oom = cgroup.oomKills(), forks = cgroup.pidsLimitHits();
        // The caller learns first; the accounting below does not delay it, and close() waits for it.
        exit.complete(exitOf(code, why, oom, forks));
        try {
            record(code, why, ms, oom, forks);
        } finally {
            recorded.complete(null);
        }
    }

    /** Isola's own kill names itself; else the memory limit (the kernel killed), then the process limit. */
    static CellExit exitOf(int code, String killedFor, long oomKills, long refusedForks) {
        if (killedFor != null) {
            return new CellExit(code, CellExit.Reason.KILLED, killedFor);
        }
        if (oomKills > 0) {
            return new CellExit(
                    code,
                    CellExit.Reason.MEMORY_LIMIT,
                    oomKills + (oomKills == 1 ? " process" : " processes") + " killed by the kernel");
        }
        if (refusedForks > 0) {
            return new CellExit(
                    code,
                    CellExit.Reason.PIDS_LIMIT,
                    refusedForks + (refusedForks == 1 ? " new process" : " new processes") + " refused");
        }
        return new CellExit(code, CellExit.Reason.EXITED, null);
    }

    private void record(int code, String why, long ms, long oom, long forks) {
        if (oom > 0) {
            audit.record(AuditEvent.of("cell.limit", id, "limit", "memory", "count", oom));
        }
        if (forks > 0) {
            audit.record(AuditEvent.of("cell.limit", id, "limit", "pids", "count", forks));
        }
        audit.record(AuditEvent.of(
                "cell.exited",
                id,
                "exit_code",
                code,
                "killed",
                why != null,
                "reason",
                why,
                "wall_ms",
                ms,
                "cpu_ms",
                cgroup.cpuNanos() / 1_000_000));
    }

    private void limitHit(String limit, Duration value) {
        if (!exit.isDone()) {
            audit.record(AuditEvent.of("cell.limit", id, "limit", limit, "value_ms", value.toMillis()));
            kill(limit + " " + value.toMillis() + "ms");
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int pid() {
        return bwrapPid;
    }

    Cgroup cgroup() {
        return cgroup;
    }

    @Override
    public CellExit waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public Optional<CellExit> waitFor(Duration d) throws InterruptedException {
        try {
            return Optional.of(exit.get(d.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void kill(String why) {
        if (exit.isDone() || !killedFor.compareAndSet(null, why)) {
            return;
        }
        audit.record(AuditEvent.of("cell.killed", id, "reason", why));
        Libc.kill(initPid, Libc.SIGKILL);
        cgroup.killAll();
    }

    @Override
    public Harvest harvest(Path into, OutputQuota quota) {
        if (!exit.isDone() || closed.get()) {
            throw new IllegalStateException("cell " + id + ": harvest only after its task ended and before close");
        }
        Harvester harvester = new Harvester(into, quota.within(diskBytes));
        Harvest h =
                ns.call(() -> ns.inNamespace(rootfs.namespace(), () -> TaskOutput.collect(rootfs, files, harvester)));
        audit.record(AuditEvent.of(
                "cell.harvested",
                id,
                "files",
                h.files().size(),
                "bytes",
                h.files().stream().mapToLong(Harvest.OutputFile::size).sum(),
                "refused",
                h.problems().stream().filter(p -> !p.kept()).count()));
        return h;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        kill("closed while running");
        exit.join();
        recorded.join();
        onClose.accept(this);
    }
}
