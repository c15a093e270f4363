package io.isola.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped units pass systemd's own check, and say what the daemon expects. */
class SystemdUnitsTest {
    private static final Path UNITS =
            Path.of("../dist/systemd").toAbsolutePath().normalize();
    private static final Path ANALYZE = Path.of("/usr/bin/systemd-analyze");

    @TempDir
    Path dir;

    @Test
    void systemdAnalyzeVerifyPasses() throws Exception {
        if (!Files.isExecutable(ANALYZE)) {
            System.out.println("skipped: no systemd-analyze here (Debian package systemd; dev/lib.sh installs it)");
        }
        assumeTrue(Files.isExecutable(ANALYZE), "systemd-analyze is missing");
        Files.copy(UNITS.resolve("isola.socket"), dir.resolve("isola.socket"));
        // verify checks that ExecStart exists: point it at this checkout's launcher, where an install links it from
        String service = Files.readString(UNITS.resolve("isola.service"))
                .replace(
                        "ExecStart=/usr/local/bin/isola",
                        "ExecStart=" + UNITS.resolveSibling("../bin/isola").normalize());
        Files.writeString(dir.resolve("isola.service"), service);
        Process p = new ProcessBuilder(
                        ANALYZE.toString(),
                        "verify",
                        dir.resolve("isola.socket").toString(),
                        dir.resolve("isola.service").toString())
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).isEmpty();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void theUnitsMatchTheDaemon() throws Exception {
        String socket = Files.readString(UNITS.resolve("isola.socket"));
        String service = Files.readString(UNITS.resolve("isola.service"));
        assertThat(socket).contains("ListenStream=" + ServicePaths.SYSTEM).contains("SocketMode=0666");
        assertThat(service)
                .contains("Type=notify")
                .contains("ExecStart=/usr/local/bin/isola daemon")
                .contains("KillMode=mixed")
                .contains("SuccessExitStatus=143");
    }
}
