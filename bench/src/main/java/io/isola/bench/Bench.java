package io.isola.bench;

import io.isola.core.Cell;
import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.StatePaths;
import io.isola.core.Stdio;
import io.isola.core.audit.AuditLog;
import io.isola.guard.GuardBench;
import io.isola.linux.Libc;
import io.isola.linux.Spawn;
import io.isola.sandbox.SandboxEngine;
import io.isola.sandbox.SandboxOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Isola beside its peers, measured in one run and interleaved, because these machines are noisy and only ratios
 * taken together mean anything.
 */
public final class Bench {
    /**
     * @param runs samples per in-process contender
     * @param slowRuns samples for contenders that take hundreds of ms (runsc, the CLI with JVM start)
     * @param throughputSeconds how long each throughput contender runs
     * @param idleCells how many idle cells the memory figure averages over
     * @param launcher bin/isola, for the end-to-end figure
     * @param only run just the parts whose name contains this (null: all), to measure one change quickly
     */
    public record Config(
            int runs,
            int slowRuns,
            double throughputSeconds,
            int idleCells,
            Path launcher,
            Path stateDir,
            String only) {
        public Config(int runs, int slowRuns, double throughputSeconds, int idleCells, Path launcher, Path stateDir) {
            this(runs, slowRuns, throughputSeconds, idleCells, launcher, stateDir, null);
        }

        boolean runs(String part) {
            return only == null || part.contains(only);
        }
    }

    private final Config config;
    private final PrintStream out;
    private final Report report;
    private final Progress progress;

    private Bench(Config config, PrintStream out, PrintStream err) {
        this.config = config;
        this.out = out;
        this.report = new Report(out);
        this.progress = new Progress(err);
    }

    /**
     * Prints the report on {@code out} and where the run stands on {@code err}. Throws when the sandbox part fails;
     * a failing vm part leaves a line in the report that says why and what to do, and the rest of the report stands.
     */
    public static void run(Config config, PrintStream out, PrintStream err) throws Exception {
        new Bench(config, out, err).all();
    }

    private void all() throws Exception {
        report.header(config);
        String desktopPart = "the service and the desktop (" + config.slowRuns() + " runs)";
        boolean desktop = config.runs(desktopPart), vm = config.runs("vm engine");
        StatePaths paths = new StatePaths(config.stateDir());
        try (AuditLog audit = AuditLog.open(paths.auditLog());
                SandboxEngine engine = new SandboxEngine(SandboxOptions.fromEnvironment(paths, Map.of()), audit);
                OpenBench open = new OpenBench(config, report, engine)) {
            List<Progress.Section> sandbox = List.of(
                    new Progress.Section("cell start (" + config.runs() + " runs, interleaved)", () -> latency(engine)),
                    new Progress.Section("end to end from a shell (" + config.slowRuns() + " runs)", this::endToEnd),
                    new Progress.Section(
                            "throughput (2 launchers, warm-up then " + config.throughputSeconds() + " s each)",
                            () -> throughput(engine)),
                    new Progress.Section("idle memory (" + config.idleCells() + " cells)", () -> idleMemory(engine)),
                    new Progress.Section(
                            "isola open to its handler (" + config.slowRuns() + " runs)", open::handlerLatency),
                    new Progress.Section("safe view of 1 and 20 pages", open::safeView),
                    new Progress.Section("safe view of a 3-page docx", open::officeView),
                    new Progress.Section("safe view with --ocr of a 1-page scan", open::ocrView),
                    new Progress.Section(
                            "network: 256 MiB and connection set-up beside curl and pasta",
                            () -> new NetBench(config, report, engine, audit).run()),
                    new Progress.Section(
                            "windows from cells: open --window, key to screen, redraws (on an Xvfb of its own)",
                            orNote(
                                    "windows from cells",
                                    () -> new WindowBench(config, report).run(),
                                    "`isola open --window FILE` in a desktop session shows the failure on its own.")),
                    new Progress.Section(
                            "guard: 10,000 opens of small files beside fapolicyd",
                            () -> GuardBench.run(
                                    java.nio.file.Files.createDirectories(
                                            config.stateDir().resolve("guard-bench")),
                                    out)));
            List<Progress.Section> chosen =
                    sandbox.stream().filter(p -> config.runs(p.what())).toList();
            progress.plan(chosen.size() + (desktop ? 1 : 0) + (vm ? 1 : 0)); // the desktop's and vm's parts last
            progress.runAll(chosen);
        }
        if (desktop) {
            progress.run(new Progress.Section(
                    desktopPart,
                    orNote(
                            "the service and the desktop",
                            this::desktop,
                            "`isola desktop install` and `xdg-open FILE` under a session bus show the failure on its"
                                    + " own.")));
        }
        if (vm) {
            vmEngine();
        }
        report.targets();
    }

    private void desktop() throws Exception {
        try (DesktopBench d = new DesktopBench(config, report)) {
            d.run();
        }
    }

    /**
     * A part that may fail on its own (no display, no session bus), as the vm part may: its rows are then replaced by
     * one line that says why and where to look, and the rest of the report stands.
     */
    private Progress.Part orNote(String part, Progress.Part measure, String seeAlso) {
        return () -> {
            try {
                measure.run();
            } catch (Exception e) {
                report.note(part + ": not measured, it failed: " + Progress.reason(e) + ". " + seeAlso);
            }
        };
    }

    /** The vm part: a failure here (no QEMU, no image, a guest agent that fails) costs its rows, not the report. */
    private void vmEngine() {
        try {
            progress.run(new Progress.Section(
                    "vm engine (image and golden snapshot if missing, then clones)",
                    () -> VmBench.run(config, report, out, progress::detail)));
        } catch (Exception e) {
            report.note("vm engine: not measured, it failed: " + Progress.reason(e) + ". The figures above stand; "
                    + "`isola doctor` checks what the vm engine needs, and `isola run --engine vm -- /bin/true` "
                    + "shows the failure on its own.");
        }
    }

    private static CellSpec trueSpec() {
        return spec(Peers.TRUE);
    }

    private static CellSpec spec(List<String> cmd) {
        return spec(cmd, Network.NONE);
    }

    private static CellSpec spec(List<String> cmd, Network network) {
        return new CellSpec(
                SandboxEngine.NAME,
                "host",
                cmd,
                CellEnvironment.build(Map.of(), List.of()),
                List.of(),
                null,
                network,
                Limits.DEFAULT);
    }

    /** An egress that closes whatever reaches it: the benchmark measures the cell's side only. */
    private static final io.isola.core.Egress DROP = (cellId, connection) -> {
        try {
            connection.close();
        } catch (java.io.IOException ignored) {
            // closed already
        }
    };

    /** Start of a cell to the exit of /bin/true, from a warm JVM. */
    private void latency(SandboxEngine engine) throws Exception {
        List<String> bwrap = Peers.plainBwrap();
        LongSupplier forkExec = () -> Processes.time(Peers.TRUE, Map.of());
        LongSupplier plain = () -> Processes.time(bwrap, Map.of());
        LongSupplier isola = () -> isolaCell(engine, trueSpec());
        LongSupplier networked = () -> isolaCell(engine, spec(Peers.TRUE, Network.through(DROP)));
        // Warm-up: page cache, the pool, and the JIT until it has compiled the measured paths.
        JitWarmup.Result warm = JitWarmup.run(
                () -> {
                    for (int i = 0; i < 20; i++) {
                        forkExec.getAsLong();
                        plain.getAsLong();
                        isola.getAsLong();
                        networked.getAsLong();
                    }
                },
                50);
        long[][] s = new long[4][config.runs()];
        for (int i = 0; i < config.runs(); i++) {
            s[0][i] = forkExec.getAsLong();
            s[1][i] = plain.getAsLong();
            s[2][i] = isola.getAsLong();
            s[3][i] = networked.getAsLong();
        }
        report.section(
                "Cell start to exit of /bin/true, warm JVM, in-process (" + config.runs() + " runs each, interleaved)");
        Stats base = new Stats("plain bwrap, same namespaces", Peers.shell(bwrap), s[1]);
        report.row(new Stats("fork/exec", "/bin/true", s[0]), base);
        report.row(base, base);
        Stats cell = new Stats(
                "isola cell (sandbox engine)",
                "SandboxEngine.start(/bin/true) + waitFor(); pool of 2 prepared cells",
                s[2]);
        report.row(cell, base);
        report.target(
                "in-process cell start to exit, median <= 1.5x plain bwrap",
                cell.medianMs() / base.medianMs(),
                1.5,
                "x");
        Stats net = new Stats(
                "isola cell with network (proxy on its loopback)",
                "the same with Network.through(egress): 127.0.0.1:3128 and [::1]:3128 bound before the task",
                s[3]);
        report.row(net, base);
        report.target(
                "a cell with network over one with none, median <= +2 ms", net.medianMs() - cell.medianMs(), 2.0, "ms");
        if (Peers.runscInstalled()) {
            long[] r = new long[config.slowRuns()];
            try {
                Processes.time(Peers.runsc(), Map.of());
                for (int i = 0; i < r.length; i++) {
                    r[i] = Processes.time(Peers.runsc(), Map.of());
                }
                report.row(new Stats("runsc do (gVisor, ptrace)", Peers.shell(Peers.runsc()), r), base);
            } catch (IllegalStateException e) {
                report.note("runsc failed here: " + e.getMessage());
            }
        } else {
            report.note("runsc is not installed (apt-get install runsc): gVisor left out");
        }
        report.note("Warm JVM: " + warm.describe() + " (a round: 20 of each contender, interleaved).");
    }

    private static long isolaCell(SandboxEngine engine, CellSpec spec) {
        long t0 = System.nanoTime();
        try (Cell c =
                engine.start(spec, Stdio.files(Path.of("/dev/null"), Path.of("/dev/null"), Path.of("/dev/null")))) {
            int code = c.waitFor().exitCode();
            long t = System.nanoTime() - t0;
            if (code != 0) {
                throw new IllegalStateException("isola cell exited with " + code);
            }
            return t;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The whole command, JVM start included, as a user at a shell sees it. */
    private void endToEnd() {
        List<String> isola = List.of(config.launcher().toString(), "run", "--", "/bin/true");
        Map<String, String> env = Map.of("ISOLA_STATE_DIR", config.stateDir().toString(), "PATH", "/usr/bin:/bin");
        List<String> bwrap = Peers.plainBwrap();
        long[] a = new long[config.slowRuns()], b = new long[config.slowRuns()];
        Processes.time(isola, env);
        for (int i = 0; i < a.length; i++) {
            a[i] = Processes.time(isola, env);
            b[i] = Processes.time(bwrap, Map.of());
        }
        report.section("End to end from a shell, JVM start included (" + a.length + " runs)");
        Stats base = new Stats("plain bwrap, same namespaces", Peers.shell(bwrap), b);
        report.row(base, base);
        Stats cli = new Stats("isola run -- /bin/true", Peers.shell(isola), a);
        report.row(cli, base);
        report.target("isola run -- /bin/true end to end, median <= 150 ms", cli.medianMs(), 150, "ms");
    }

    /** Cells per second with two launchers at once, each starting, waiting for and closing cells. */
    private void throughput(SandboxEngine engine) throws Exception {
        report.section("Throughput, 2 concurrent launchers, " + config.throughputSeconds()
                + " s each once the JIT has settled on the concurrent loop, /bin/true");
        List<String> bwrap = Peers.plainBwrap();
        LongSupplier plainOne = () -> Processes.time(bwrap, Map.of());
        LongSupplier isolaOne = () -> isolaCell(engine, trueSpec());
        // As in a long-running service: the two launchers take paths the sequential warm-up did not (contended
        // locks, the pool refilling behind them), and C2 compiles them for tens of seconds, on the same 2 cores.
        JitWarmup.Result warmPlain = JitWarmup.run(() -> perSecond(plainOne, WARM_WINDOW_S), MAX_WARM_WINDOWS);
        double plain = perSecond(plainOne, config.throughputSeconds());
        JitWarmup.Result warmIsola = JitWarmup.run(() -> perSecond(isolaOne, WARM_WINDOW_S), MAX_WARM_WINDOWS);
        double isola = perSecond(isolaOne, config.throughputSeconds());
        report.rate("plain bwrap, same namespaces", plain, Peers.shell(bwrap));
        report.rate("isola cell (start, wait, close)", isola, "SandboxEngine, pool of 2 prepared cells");
        report.target("throughput >= 200 cells/s on 2 cores", isola, 200, "cells/s");
        report.note("Warm-up before each contender, in rounds of " + WARM_WINDOW_S + " s of the same loop: plain bwrap "
                + warmPlain.describe() + "; Isola " + warmIsola.describe() + ".");
    }

    private static final double WARM_WINDOW_S = 1.0;
    private static final int MAX_WARM_WINDOWS = 40;

    private double perSecond(LongSupplier one, double seconds) {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            // Platform threads: bwrap's --die-with-parent follows the thread that spawned it.
            threads.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    one.getAsLong();
                    done.incrementAndGet();
                }
            }));
        }
        long t0 = System.nanoTime();
        try {
            Thread.sleep((long) (seconds * 1000));
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            stop.set(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring throughput", e);
        }
        return done.get() / ((System.nanoTime() - t0) / 1e9);
    }

    /** What an idle cell costs beyond its task: the supervisor processes and the JVM's share. */
    private void idleMemory(SandboxEngine engine) throws Exception {
        int n = config.idleCells();
        List<Cell> cells = new ArrayList<>();
        long rssBefore = Memory.selfRss();
        long supervisors = 0;
        try {
            for (int i = 0; i < n; i++) {
                cells.add(engine.start(
                        spec(List.of("/bin/sleep", "600")),
                        Stdio.files(Path.of("/dev/null"), Path.of("/dev/null"), Path.of("/dev/null"))));
            }
            Thread.sleep(500);
            for (Cell c : cells) {
                supervisors += Memory.privateBytes(c.pid());
                for (long init : Memory.children(c.pid())) {
                    supervisors += Memory.privateBytes(init);
                }
            }
        } finally {
            long jvm = Math.max(0, Memory.selfRss() - rssBefore);
            cells.forEach(Cell::close);
            long plain = plainBwrapIdle(n);
            report.section("Private memory added per idle cell (" + n + " cells running sleep 600)");
            double perCell = (supervisors + jvm) / (double) n / (1 << 20);
            report.memory(
                    "isola: bwrap supervisor + pid 1, plus the JVM's growth",
                    perCell,
                    String.format(
                            "supervisors %.2f MiB, JVM %.2f MiB per cell",
                            supervisors / (double) n / (1 << 20), jvm / (double) n / (1 << 20)));
            report.memory(
                    "plain bwrap: supervisor + pid 1", plain / (double) n / (1 << 20), Peers.shell(Peers.plainBwrap()));
            report.target("private memory Isola adds per idle cell <= 2 MiB", perCell, 2, "MiB");
        }
    }

    private static long plainBwrapIdle(int n) throws InterruptedException {
        List<String> cmd = new ArrayList<>(Peers.plainBwrap());
        cmd.set(cmd.size() - 1, "/bin/sleep");
        cmd.add("600");
        List<Integer> pids = new ArrayList<>();
        long total = 0;
        try {
            for (int i = 0; i < n; i++) {
                pids.add(Spawn.of(cmd)
                        .fd(0, Processes.devNull())
                        .fd(1, Processes.devNull())
                        .start());
            }
            Thread.sleep(500);
            for (int pid : pids) {
                total += Memory.privateBytes(pid);
                for (long init : Memory.children(pid)) {
                    total += Memory.privateBytes(init);
                }
            }
        } finally {
            for (int pid : pids) {
                Libc.kill(pid, Libc.SIGKILL);
                Libc.waitpid(pid, 0);
            }
        }
        return total;
    }
}
