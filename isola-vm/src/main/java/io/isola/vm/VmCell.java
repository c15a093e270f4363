package io.isola.vm;

import io.isola.core.Cell;
import io.isola.core.CellEnvironment;
import io.isola.core.CellExit;
import io.isola.core.CellSpec;
import io.isola.core.Harvest;
import io.isola.core.OutputQuota;
import io.isola.core.Stdio;
import io.isola.core.TaskFiles;
import io.isola.core.audit.AuditEvent;
import io.isola.core.audit.AuditLog;
import io.isola.core.output.Harvester;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A task running in one clone. The task's stdio streams through the agent; the exit code comes back as a frame.
 * Anything wrong on the channel (a protocol violation, QEMU dying) ends the cell with exit code 125 and the reason.
 */
final class VmCell implements Cell {
    static final Duration HARVEST_LIMIT = Duration.ofSeconds(120);
    /** How long the guest has to report the end of a task it was told to kill, before its VM goes. */
    static final Duration KILL_GRACE = Duration.ofSeconds(2);

    /** The cells' deadlines: a task's timeout, a stopped task's grace, a harvest's limit. */
    private static final java.util.concurrent.ScheduledExecutorService TIMER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "vm-cell-timer");
                t.setDaemon(true);
                return t;
            });

    private final Vm vm;
    private final CellSpec spec;
    private final AuditLog audit;
    private final CompletableFuture<CellExit> exit = new CompletableFuture<>();
    private final OutputStream out;
    private final OutputStream err;
    private final Runnable onClose;
    /** The folder of Isola's own in the view (a window's screen folder), which the guest mirrors; or null. */
    private final FolderMirror mirror;

    private volatile String killedWhy;
    /** Killed with its VM ({@link #kill}), not ended by its agent ({@link #stop}): nothing is left to harvest. */
    private volatile boolean hardKilled;

    private boolean broken;
    private boolean closed;

    VmCell(Vm vm, CellSpec spec, Stdio stdio, AuditLog audit, Runnable onClose) throws IOException {
        this.onClose = onClose;
        this.vm = vm;
        this.spec = spec;
        this.audit = audit;
        this.out = stdio.out() == null ? new FileOutputStream(FileDescriptor.out) : open(stdio.out());
        this.err = stdio.err() == null ? new FileOutputStream(FileDescriptor.err) : open(stdio.err());
        // Opened here, before the caller gets the cell: a caller may close its end of a stdin it named by
        // /proc/self/fd/N as soon as start returns (a window's input pipe is), and a later open would find nothing
        // there, or worse another file that took the number.
        InputStream stdin =
                stdio.in() == null ? new FileInputStream(FileDescriptor.in) : Files.newInputStream(stdio.in());
        try {
            audit.record(AuditEvent.of("cell.created", id(), "engine", VmEngine.NAME, "command", spec.command()));
            sendInputs(spec.files());
            this.mirror = mirrorOwnFolder(spec);
            if (spec.network().reachesOut()) {
                vm.startNet(id(), spec.network().egress(), this::networkBroken);
            }
            vm.agent.run(
                    spec.command(),
                    CellEnvironment.withNetwork(spec.env(), spec.network()),
                    spec.workdir() == null ? "/" : spec.workdir().toString(),
                    spec.network().reachesOut());
            Thread.ofPlatform().daemon().name("vm-stdin").start(() -> pumpStdin(stdin));
            Thread.ofPlatform().daemon().name("vm-relay").start(this::relay);
        } catch (IOException | RuntimeException e) {
            stdin.close();
            throw e;
        }
        if (spec.limits().timeout() != null) {
            Duration t = spec.limits().timeout();
            TIMER.schedule(() -> kill("timeout " + t.toSeconds() + "s"), t.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static OutputStream open(Path p) throws IOException {
        return Files.newOutputStream(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** Copies each input directory's regular files into the guest; links and special files stay on the host. */
    private void sendInputs(TaskFiles files) throws IOException {
        for (TaskFiles.Input input : files.inputs()) {
            vm.agent.mkdir(input.cellDir());
            try (Stream<Path> walk = Files.walk(input.hostDir())) {
                for (Path p : walk.sorted().toList()) {
                    String rel = input.hostDir().relativize(p).toString();
                    if (rel.isEmpty()) {
                        continue;
                    }
                    String cellPath = input.cellDir() + "/" + rel;
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        vm.agent.mkdir(cellPath);
                    } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                            vm.agent.file(cellPath, in);
                        }
                    }
                }
            }
        }
        if (files.outputDir() != null) {
            vm.agent.mkdir(files.outputDir());
        }
    }

    /**
     * A folder Isola holds open for this cell (a window's screen folder) cannot be shown to a VM as the sandbox engine
     * shows it, by a mount: the guest makes a tmpfs of its size at the same place and mirrors its files into it.
     */
    private FolderMirror mirrorOwnFolder(CellSpec spec) throws IOException {
        List<io.isola.core.ViewEntry> own =
                spec.view().stream().filter(io.isola.core.ViewEntry::isolaOwn).toList();
        if (own.isEmpty()) {
            return null;
        }
        if (own.size() > 1) {
            throw new io.isola.core.IsolaException("a VM cell mirrors one folder of Isola's own, not " + own.size());
        }
        FolderMirror m = new FolderMirror(
                Integer.parseInt(own.get(0).hostPath().getFileName().toString()));
        vm.agent.mirror(own.get(0).cellPath().toString(), m);
        return m;
    }

    /** The guest broke the network port's protocol: the task runs on without a network, and its user hears why. */
    private void networkBroken(String why) {
        audit.record(AuditEvent.of("cell.network_ended", id(), "reason", why));
        try {
            synchronized (err) {
                err.write(("isola: " + why + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                err.flush();
            }
        } catch (IOException ignored) {
            // the caller closed its stderr
        }
    }

    private void pumpStdin(InputStream in) {
        try (InputStream from = in) {
            byte[] buf = new byte[32 << 10];
            int n;
            while (!exit.isDone() && (n = from.read(buf)) > 0) {
                vm.agent.stdin(buf, n);
            }
            vm.agent.stdinEof();
        } catch (IOException e) {
            // the cell ended, or the caller's stdin failed: the task sees end of file either way
        }
    }

    private void relay() {
        int code;
        try {
            code = vm.agent.relay(
                    new AgentChannel.TaskOutput() {
                        @Override
                        public void stdout(byte[] data) throws IOException {
                            out.write(data);
                            out.flush();
                        }

                        @Override
                        public void stderr(byte[] data) throws IOException {
                            err.write(data);
                            err.flush();
                        }

                        @Override
                        public void agentError(String message) {
                            try {
                                err.write(("isola: " + message + "\n").getBytes());
                                err.flush();
                            } catch (IOException ignored) {
                                // the caller closed its stderr
                            }
                        }
                    },
                    mirror);
        } catch (IOException e) {
            String why = killedWhy;
            if (why == null) {
                broken = true;
                why = e instanceof io.isola.guest.Wire.ProtocolException
                        ? "the guest agent broke the protocol: " + e.getMessage()
                        : vm.awaitExit(Duration.ofSeconds(2))
                                ? vm.death()
                                : "the guest agent hung up: " + e.getMessage();
            }
            vm.close(); // synchronized: when a kill is closing it, this waits until QEMU is gone
            finish(new CellExit(killedWhy != null ? 137 : 125, CellExit.Reason.KILLED, why));
            return;
        }
        finish(
                killedWhy != null
                        ? new CellExit(137, CellExit.Reason.KILLED, killedWhy)
                        : new CellExit(code, CellExit.Reason.EXITED, null));
    }

    private void finish(CellExit e) {
        if (exit.complete(e)) {
            audit.record(AuditEvent.of(
                    "cell.exited",
                    id(),
                    "exit_code",
                    e.exitCode(),
                    "killed",
                    e.reason() == CellExit.Reason.KILLED,
                    "reason",
                    e.detail()));
        }
    }

    @Override
    public String id() {
        return "vm-" + vm.id;
    }

    @Override
    public int pid() {
        return vm.pid;
    }

    @Override
    public CellExit waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            return exit.join();
        }
    }

    @Override
    public Optional<CellExit> waitFor(Duration d) throws InterruptedException {
        try {
            return Optional.of(exit.get(d.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.of(exit.join());
        }
    }

    @Override
    public void kill(String why) {
        if (exit.isDone()) {
            return;
        }
        killedWhy = why;
        hardKilled = true;
        audit.record(AuditEvent.of("cell.killed", id(), "reason", why));
        vm.close(); // the whole VM goes: nothing of the task can outlive it
    }

    /**
     * The agent kills every process of the guest, as the sandbox engine kills a cell's: the task's files stay for the
     * harvest (a window closed by its user still lets what the editor saved out, as the level's persistence rule
     * says). A guest that has not reported the task's end within {@link #KILL_GRACE} loses its whole VM, and then
     * nothing is harvested.
     */
    @Override
    public void stop(String why) {
        if (exit.isDone()) {
            return;
        }
        killedWhy = why;
        audit.record(AuditEvent.of("cell.killed", id(), "reason", why));
        try {
            vm.agent.kill();
        } catch (IOException e) {
            vm.close();
            return;
        }
        TIMER.schedule(
                () -> {
                    if (!exit.isDone()) {
                        vm.close(); // nothing of the task can outlive it
                    }
                },
                KILL_GRACE.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public Harvest harvest(Path into, OutputQuota asked) {
        if (!exit.isDone()) {
            throw new IllegalStateException("the task still runs");
        }
        OutputQuota quota = asked.within(spec.limits().diskBytes());
        Harvester h = new Harvester(into, quota);
        if (hardKilled || broken || !vm.alive()) {
            h.refuse(
                    spec.files().outputDir() == null ? "." : spec.files().outputDir(),
                    "the cell's VM is gone (" + exit.join().detail() + "); nothing was harvested");
            return h.finish();
        }
        List<String> inputDirs =
                spec.files().inputs().stream().map(TaskFiles.Input::cellDir).toList();
        // a guest that stalls in the middle of a harvest would block the host forever: the VM goes instead
        java.util.concurrent.ScheduledFuture<?> watchdog =
                TIMER.schedule(vm::close, HARVEST_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            Harvest result = vm.agent.harvest(spec.files().outputDir(), inputDirs, h, quota);
            audit.record(AuditEvent.of(
                    "cell.harvested", id(), "files", result.files().size()));
            return result;
        } catch (IOException e) {
            vm.close();
            h.refuse(
                    ".",
                    "the harvest stopped: the guest agent broke the protocol or took over " + HARVEST_LIMIT.toSeconds()
                            + " s (" + e.getMessage() + ")");
            return h.finish();
        } finally {
            watchdog.cancel(false);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        vm.close();
        if (mirror != null) {
            mirror.close();
        }
        if (!exit.isDone()) {
            finish(new CellExit(137, CellExit.Reason.KILLED, "closed while running"));
        }
        audit.record(AuditEvent.of("cell.closed", id()));
        onClose.run();
    }
}
