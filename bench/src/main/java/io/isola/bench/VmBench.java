package io.isola.bench;

import io.isola.core.Cell;
import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.StatePaths;
import io.isola.core.Stdio;
import io.isola.core.audit.AuditLog;
import io.isola.vm.VmEngine;
import io.isola.vm.VmMeasure;
import io.isola.vm.VmOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The vm engine side by side in one run: a cold boot to a ready agent, a snapshot clone to a ready agent, and a
 * warm-pool hand-off to the first guest command's exit; then the private memory of idle clones against guest RAM.
 */
final class VmBench {
    private static final Stdio QUIET = Stdio.files(Path.of("/dev/null"), Path.of("/dev/null"), Path.of("/dev/null"));
    private final Report report;
    private final PrintStream out;

    private VmBench(Report report, PrintStream out) {
        this.report = report;
        this.out = out;
    }

    /** @param setUp where the engine's set-up steps go (building the image, the golden snapshot): progress */
    static void run(Bench.Config config, Report report, PrintStream out, Consumer<String> setUp) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"))) {
            report.note("vm engine: skipped, QEMU is not installed (apt-get install qemu-system-x86)");
            return;
        }
        new VmBench(report, out).all(config, setUp);
        if (config.runs("vm engine windows")) {
            try {
                new WindowBench(config, report).runVm(); // the image and golden snapshot are there now
            } catch (Exception e) {
                report.note("windows from VM cells: not measured, it failed: " + Progress.reason(e)
                        + ". `isola open --window FILE` on a level whose engine is vm shows the failure on its own.");
            }
        }
    }

    private void all(Bench.Config config, Consumer<String> setUp) throws Exception {
        StatePaths paths = new StatePaths(config.stateDir());
        VmOptions opt = VmOptions.fromEnvironment(paths, System.getenv()).withPoolSize(1);
        try (AuditLog audit = AuditLog.open(paths.root().resolve("vm-audit.jsonl"));
                VmEngine engine = new VmEngine(opt, audit, line -> setUp.accept("vm set-up: " + line))) {
            String accel = engine.accelerator().toString();
            int cold = Math.max(3, config.slowRuns() / 4);
            int runs = Math.max(5, config.slowRuns());
            long[] boot = new long[cold];
            long[] clone = new long[runs];
            long[] handOff = new long[runs];
            for (int i = 0; i < runs; i++) {
                if (i < cold) {
                    boot[i] = VmMeasure.coldBootToReady(engine);
                }
                clone[i] = VmMeasure.cloneToReady(engine);
                handOff[i] = handOff(engine);
            }
            out.printf(
                    "%n## vm engine (QEMU %s, accelerator %s, guest RAM %d MiB)%n%n",
                    qemuVersion(), accel, VmMeasure.guestMemoryMb(engine));
            out.printf(
                    "| contender | median | p99 | ratio to cold boot | runs | what is timed |%n|---|---:|---:|---:|---:|---|%n");
            Stats b = new Stats("cold boot to ready agent (" + accel + ")", "", boot);
            Stats c = new Stats("snapshot clone to ready agent (" + accel + ")", "", clone);
            Stats h = new Stats("pool hand-off to first command (" + accel + ")", "", handOff);
            row(b, b, cold, "QEMU start, kernel boot, JVM agent start, HELLO/READY");
            row(c, b, runs, "QEMU start with -incoming, RAM file mapped private, migrate-incoming, HELLO/READY");
            row(h, b, runs, "VmEngine.start(/bin/true) from a pool of 1, to its exit code");
            memory(engine, accel);
            report.target(
                    "vm: a clone is >= 5x faster than a cold boot (" + accel + ")",
                    b.medianMs() / c.medianMs(),
                    5,
                    "x");
            report.target("vm: pool hand-off to first guest command, median (" + accel + ")", h.medianMs(), 50, "ms");
        }
    }

    private void row(Stats s, Stats base, int n, String what) {
        out.printf(
                "| %s | %.1f ms | %.1f ms | %.2fx | %d | %s |%n",
                s.name(), s.medianMs(), s.p99Ms(), s.medianMs() / base.medianMs(), n, what);
    }

    private static long handOff(VmEngine engine) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (engine.poolReady() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(200); // let the refill's QEMU settle: measure a hand-off, not a race with a restore
        CellSpec spec = new CellSpec(
                VmEngine.NAME,
                "host",
                List.of("/bin/true"),
                CellEnvironment.build(Map.of(), List.of()),
                List.of(),
                null,
                Network.NONE,
                Limits.DEFAULT);
        long t0 = System.nanoTime();
        try (Cell c = engine.start(spec, QUIET)) {
            c.waitFor();
            return System.nanoTime() - t0;
        }
    }

    private void memory(VmEngine engine, String accel) throws Exception {
        int n = 3;
        List<AutoCloseable> clones = VmMeasure.idleClones(engine, n);
        try {
            Thread.sleep(2000); // idle: the guest's agent waits on its port
            int ram = VmMeasure.guestMemoryMb(engine);
            List<Double> mib = new ArrayList<>();
            for (AutoCloseable c : clones) {
                mib.add(Memory.privateBytes(VmMeasure.pid(c)) / 1048576.0);
            }
            double avg = mib.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            double max = mib.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            out.printf(
                    "%n| idle clone | private memory (Private_Clean + Private_Dirty of QEMU) | share of guest RAM |%n"
                            + "|---|---:|---:|%n");
            out.printf("| average of %d (%s) | %.1f MiB | %.1f%% of %d MiB |%n", n, accel, avg, 100 * avg / ram, ram);
            out.printf("| largest | %.1f MiB | %.1f%% |%n", max, 100 * max / ram);
            report.target(
                    "vm: idle clone private memory, share of guest RAM (" + accel + ")", 100 * max / ram, 40, "%");
        } finally {
            for (AutoCloseable c : clones) {
                c.close();
            }
        }
    }

    private static String qemuVersion() {
        try {
            Process p = new ProcessBuilder("/usr/bin/qemu-system-x86_64", "--version").start();
            String v = new String(p.getInputStream().readAllBytes())
                    .lines()
                    .findFirst()
                    .orElse("");
            p.waitFor();
            return v.replaceAll(".*version ([^ ]+).*", "$1");
        } catch (Exception e) {
            return "?";
        }
    }
}
