package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's first example, run as root without sudo, on a file in a 0700 folder as /root is: the cell acts as
 * root on what it is given, so it reads the file, and what it writes to a --rw folder is root's.
 */
@Tag("kernel")
class RootShareCliTest {
    @Test
    void rootRunsTheReadmeExampleOnItsOwnFileInA0700Folder() throws Exception {
        Path state = Files.createTempDirectory("isola-cli-state");
        Path home = Files.createTempDirectory(Path.of("/var/tmp"), "isola-root-home");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Path report = Files.write(home.resolve("report.pdf"), ExamplesTest.pdf("quarterly figures"));
        Files.setPosixFilePermissions(report, PosixFilePermissions.fromString("rw-------"));
        Path out = Files.createDirectory(home.resolve("out"));
        try {
            Cli cli = new Cli(state);
            String[] example = ("run --ro " + report + " -- pdftotext " + report + " -").split(" ");
            Cli.Result r = asRootWithoutSudo(cli, example);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("quarterly figures");

            Cli.Result w = asRootWithoutSudo(
                    cli,
                    "run",
                    "--ro",
                    report.toString(),
                    "--rw",
                    out.toString(),
                    "--",
                    "pdftotext",
                    report.toString(),
                    out.resolve("report.txt").toString());
            assertThat(w.code()).as(w.err()).isZero();
            Path txt = out.resolve("report.txt");
            assertThat(Files.readString(txt)).contains("quarterly figures");
            assertThat(Files.getAttribute(txt, "unix:uid")).isEqualTo(0);
            assertThat(Files.getAttribute(txt, "unix:gid")).isEqualTo(0);
        } finally {
            Cleanup.deleteTree(home);
            Cleanup.deleteTree(state);
        }
    }

    /** The test JVM may itself run under sudo: its SUDO_* variables must not reach this isola. */
    private static Cli.Result asRootWithoutSudo(Cli cli, String... args) throws IOException, InterruptedException {
        Path o = Files.createTempFile("isola-cli", ".out"), e = Files.createTempFile("isola-cli", ".err");
        try {
            ProcessBuilder pb = cli.builder(Map.of(), args)
                    .redirectOutput(o.toFile())
                    .redirectError(e.toFile())
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            for (String v : new String[] {"SUDO_UID", "SUDO_GID", "SUDO_USER", "ISOLA_CELL_UID", "ISOLA_CELL_GID"}) {
                pb.environment().remove(v);
            }
            Process p = pb.start();
            try {
                assertThat(p.waitFor(120, TimeUnit.SECONDS))
                        .as("isola finished")
                        .isTrue();
            } finally {
                p.destroyForcibly();
            }
            return new Cli.Result(p.exitValue(), Files.readString(o), Files.readString(e));
        } finally {
            Files.deleteIfExists(o);
            Files.deleteIfExists(e);
        }
    }
}
