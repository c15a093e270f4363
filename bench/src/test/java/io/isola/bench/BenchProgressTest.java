package io.isola.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole benchmark on a tiny configuration, real cells and all: the report alone on stdout (so {@code isola bench
 * > file} is a clean report), a line per section on stderr while it runs, and a vm part that fails costs only its own
 * rows, with one line that says why.
 */
@Tag("kernel")
class BenchProgressTest {
    @TempDir
    Path tmp;

    @Test
    void reportOnStdoutProgressOnStderrAndAFailedVmPartLeavesTheSandboxRows() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        // No image, and the vm engine's folder cannot even be made: its part fails on the real path, at once.
        Files.writeString(state.resolve("vm"), "a file where the vm engine's folder would be\n");
        Bench.Config tiny = new Bench.Config(2, 1, 0.2, 1, launcher(), state);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

        Bench.run(
                tiny,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String report = out.toString(StandardCharsets.UTF_8), progress = err.toString(StandardCharsets.UTF_8);
        System.out.println(report);
        System.out.println(progress);
        assertThat(report)
                .as(progress)
                .contains(
                        "## Cell start to exit of /bin/true",
                        "| isola cell (sandbox engine) |",
                        "## Throughput",
                        "## Safe view of a 20-page PDF",
                        "## Download of 256 MiB",
                        "## Time to the first byte",
                        "## Guard: 10,000 opens",
                        "## Safe view of a 3-page docx",
                        "## Targets")
                .doesNotContain("isola bench:");
        // The stand-in shows no windows: that part costs its own rows, with one line that says why.
        assertThat(report).contains("windows from cells: not measured, it failed: ");
        List<String> lines = progress.lines().toList();
        assertThat(lines)
                .as(report)
                .allMatch(l -> l.startsWith("isola bench: "))
                .noneMatch(l -> l.contains("| ms |") || l.startsWith("|"));
        // Each part counts itself out of the same whole, the vm engine last (the number of parts grows with Isola).
        assertThat(lines.getFirst())
                .matches("isola bench: cell start \\(2 runs, interleaved\\)… 1/[0-9]+ done in [0-9.]+ s");
        String parts = lines.getFirst().replaceAll(".*… 1/([0-9]+) done.*", "$1");
        assertThat(Integer.parseInt(parts)).isGreaterThanOrEqualTo(10);
        assertThat(lines)
                .anyMatch(l ->
                        l.matches("isola bench: safe view of 1 and 20 pages… [0-9]+/" + parts + " done in [0-9.]+ s"));

        // The vm part: one line in the report that says why and what to do, a failed line in the progress.
        List<String> vm = report.lines().filter(l -> l.contains("vm engine")).toList();
        assertThat(vm).as(report).hasSize(1);
        if (Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"))) {
            assertThat(vm.getFirst())
                    .startsWith("vm engine: not measured, it failed: ")
                    .contains(state.resolve("vm").toString(), "isola doctor");
            assertThat(lines.getLast())
                    .matches("isola bench: vm engine .*… " + parts + "/" + parts + " failed after [0-9.]+ s: .+");
        } else {
            assertThat(vm.getFirst()).contains("QEMU is not installed");
        }
    }

    /**
     * Stands in for bin/isola, whose jar the bench module cannot build: what the end-to-end rows spawn it for ({@code
     * run -- CMD}, {@code open FILE} with a handler that prints the time, {@code open --view FILE}); it shows no windows.
     */
    private Path launcher() throws Exception {
        Path script = tmp.resolve("isola");
        Files.writeString(script, """
                #!/bin/sh
                case "$1" in
                  run) shift 2; exec "$@" ;;
                  open) [ "$2" = --view ] && exit 0; [ "$2" = --window ] && exit 3; exec /bin/date +%s%N ;;
                esac
                exit 2
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
