package io.isola.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The systemd unit of the guard: systemd accepts it, it restarts at once, and nothing in it hides the mounts. */
class GuardUnitTest {
    static final Path UNIT =
            Path.of("../packaging/systemd/isola-guard.service").toAbsolutePath().normalize();

    /** Each of these gives the service a mount namespace of its own, where its mount marks would guard nothing. */
    private static final List<String> MOUNT_NAMESPACE = List.of(
            "ProtectSystem",
            "ProtectHome",
            "PrivateTmp",
            "PrivateDevices",
            "PrivateMounts",
            "ReadWritePaths",
            "ReadOnlyPaths",
            "InaccessiblePaths",
            "ExecPaths",
            "NoExecPaths",
            "TemporaryFileSystem",
            "BindPaths",
            "BindReadOnlyPaths",
            "RootDirectory",
            "RootImage",
            "ProtectKernelTunables",
            "ProtectKernelModules",
            "ProtectKernelLogs",
            "ProtectControlGroups",
            "ProtectProc",
            "ProcSubset",
            "MountAPIVFS",
            "PrivateNetwork",
            "NetworkNamespacePath",
            "PrivateUsers");

    @TempDir
    Path tmp;

    @Test
    void itRestartsAtOnceAndNeverGetsAMountNamespaceOfItsOwn() throws Exception {
        List<String> lines = Files.readAllLines(UNIT).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        assertThat(lines)
                .contains(
                        "Restart=always",
                        "RestartSec=0",
                        "StartLimitIntervalSec=0",
                        "ExecStart=/usr/local/bin/isola guard",
                        "NoNewPrivileges=yes");
        for (String option : MOUNT_NAMESPACE) {
            assertThat(lines).as(option).noneMatch(l -> l.startsWith(option + "="));
        }
    }

    @Test
    void systemdAnalyzeVerifyAcceptsIt() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(analyze)) {
            System.out.println("skipped: no systemd-analyze here (Debian package systemd)");
            Assumptions.abort("no systemd-analyze (Debian package systemd)");
        }
        // verify checks that ExecStart exists: a root with the launcher where dev/install puts it
        Path root = tmp.resolve("root");
        Path isola = Files.createDirectories(root.resolve("usr/local/bin")).resolve("isola");
        Files.writeString(isola, "#!/bin/sh\n");
        isola.toFile().setExecutable(true);
        Path units = Files.createDirectories(root.resolve("etc/systemd/system"));
        Path unit = Files.copy(UNIT, units.resolve("isola-guard.service"));
        List<String> cmd = new ArrayList<>(List.of(analyze.toString(), "verify", "--root=" + root, unit.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out.lines().filter(l -> l.contains("isola-guard")).toList())
                .as(out)
                .isEmpty();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
