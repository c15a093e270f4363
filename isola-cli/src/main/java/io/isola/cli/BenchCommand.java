package io.isola.cli;

import io.isola.bench.Bench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures Isola beside its peers (fork/exec, plain bwrap, runsc) in one run and prints a "
                + "Markdown report with medians, p99, ratios, the exact commands and the targets."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--runs", paramLabel = "N", defaultValue = "300", description = "samples per fast contender (${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--slow-runs", paramLabel = "N", defaultValue = "30",
            description = "samples for runsc and the CLI with JVM start (${DEFAULT-VALUE})")
    int slowRuns;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "5", description = "throughput window (${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--idle-cells", paramLabel = "N", defaultValue = "16", description = "cells for the memory figure (${DEFAULT-VALUE})")
    int idleCells;

    @Override
    public Integer call() throws Exception {
        Path launcher = Path.of(System.getProperty("isola.home", "."), "bin", "isola").toAbsolutePath();
        if (!Files.isExecutable(launcher)) {
            throw new io.isola.core.IsolaException("cannot find bin/isola for the end-to-end figure: run bench through bin/isola");
        }
        Path state = Files.createTempDirectory("isola-bench");
        try {
            Bench.run(new Bench.Config(runs, slowRuns, seconds, idleCells, launcher, state), System.out);
        } finally {
            try (var s = Files.walk(state)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }
}
