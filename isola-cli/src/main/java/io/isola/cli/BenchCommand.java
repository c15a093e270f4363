package io.isola.cli;

import io.isola.bench.Bench;
import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.IsolaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code isola bench}: Isola beside its peers, in one run. */
final class BenchCommand implements Command {
    private static final List<Option> OPTIONS = List.of(
            Option.value("--runs", "N", "samples per fast contender (default 300)"),
            Option.value("--slow-runs", "N", "samples for runsc and the CLI with JVM start (default 30)"),
            Option.value("--seconds", "S", "throughput window per contender (default 5)"),
            Option.value("--idle-cells", "N", "cells for the memory figure (default 16)"),
            Option.value("--only", "WORDS", "run just the parts whose name contains WORDS (e.g. \"safe view\")"));

    private int runs = 300;
    private int slowRuns = 30;
    private double seconds = 5;
    private int idleCells = 16;
    private String only;

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "measure Isola beside fork/exec, plain bwrap and runsc";
    }

    @Override
    public List<String> description() {
        return List.of(
                "Measures Isola beside its peers (fork/exec, plain bwrap, runsc) in one run and prints a",
                "Markdown report: medians, p99, ratios, the exact commands and whether each target is met.",
                "The report goes to stdout, progress to stderr. When the vm engine's part fails, the report says why in",
                "one line and the command still exits 0; it exits non-zero when the sandbox part fails.");
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public String operands() {
        return "";
    }

    @Override
    public void set(Option o, String v) throws UsageException {
        switch (o.name()) {
            case "--runs" -> runs = Sizes.count(o.name(), v);
            case "--slow-runs" -> slowRuns = Sizes.count(o.name(), v);
            case "--seconds" -> seconds = Sizes.decimal(o.name(), v);
            case "--idle-cells" -> idleCells = Sizes.count(o.name(), v);
            case "--only" -> only = v;
            default -> throw new IllegalStateException("unhandled option " + o.name());
        }
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (!operands.isEmpty()) {
            throw new UsageException("bench takes no arguments");
        }
    }

    @Override
    public int call() throws Exception {
        Path launcher =
                Path.of(System.getProperty("isola.home", "."), "bin", "isola").toAbsolutePath();
        if (!Files.isExecutable(launcher)) {
            throw new IsolaException(
                    "cannot find bin/isola for the end-to-end figure: run the bench through bin/isola");
        }
        Path state = Files.createTempDirectory("isola-bench");
        try {
            Bench.run(
                    new Bench.Config(runs, slowRuns, seconds, idleCells, launcher, state, only),
                    System.out,
                    System.err);
        } finally {
            io.isola.core.FileTrees.delete(state);
        }
        return 0;
    }
}
