package io.isola.bench;

import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Prints the benchmark as Markdown: it goes into BENCHMARKS.md as it is. */
final class Report {
    private final PrintStream out;
    private final List<String> targets = new ArrayList<>();
    private int missed;

    Report(PrintStream out) {
        this.out = out;
    }

    void header(Bench.Config c) {
        out.printf(
                "# Isola benchmark, %s%n%n",
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        out.printf(
                "Command: `bin/isola bench --runs %d --slow-runs %d --seconds %s --idle-cells %d%s` (what `./dev/bench` runs%s)."
                        + "%n%n",
                c.runs(),
                c.slowRuns(),
                c.throughputSeconds(),
                c.idleCells(),
                c.only() == null ? "" : " --only " + c.only(),
                c.only() == null ? "" : ", but only one part");
        out.printf(
                "Machine: %d CPUs, kernel %s, %s. Engine: sandbox (bubblewrap); no accelerator involved.%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    }

    void section(String title) {
        section(title, "plain bwrap");
    }

    void section(String title, String base) {
        out.printf(
                "%n## %s%n%n| contender | median | p99 | ratio to %s | command |%n|---|---:|---:|---:|---|%n",
                title, base);
    }

    void row(Stats s, Stats base) {
        out.printf(
                "| %s | %.2f ms | %.2f ms | %.2fx | `%s` |%n",
                s.name(), s.medianMs(), s.p99Ms(), s.medianMs() / base.medianMs(), s.command());
    }

    void rate(String name, double perSecond, String command) {
        out.printf("| %s | %.0f cells/s | | | `%s` |%n", name, perSecond, command);
    }

    void memory(String name, double mib, String detail) {
        out.printf("| %s | %.2f MiB | | | %s |%n", name, mib, detail);
    }

    void note(String text) {
        out.printf("%n%s%n", text);
    }

    void target(String what, double measured, double limit, String unit) {
        boolean atMost = !what.contains(">=");
        boolean ok = atMost ? measured <= limit : measured >= limit;
        if (!ok) {
            missed++;
        }
        targets.add(String.format("- [%s] %s: measured %.2f %s", ok ? "x" : " ", what, measured, unit));
    }

    void targets() {
        out.printf("%n## Targets (%d of %d met)%n%n", targets.size() - missed, targets.size());
        targets.forEach(out::println);
    }
}
