package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.Cell;
import io.isola.core.IsolaException;
import io.isola.core.StatePaths;
import io.isola.core.Stdio;
import io.isola.linux.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What a cell's QEMU process looks like from the host: who it runs as, its filter, its cgroup, what it can reach. */
@Tag("qemu")
class QemuHardeningTest {
    private static final Stdio QUIET = Stdio.files(Path.of("/dev/null"), Path.of("/dev/null"), Path.of("/dev/null"));

    @Test
    void qemuRunsUnprivilegedUnderSeccompWithNoNetworkAndNoNamedSockets() throws Exception {
        try (Cell c = TestVms.engine().start(TestVms.spec(List.of("/bin/sleep", "600")), QUIET)) {
            String status = Files.readString(Path.of("/proc/" + c.pid() + "/status"));
            if (Libc.geteuid() == 0) {
                assertThat(status).containsPattern("Uid:\\s+65534\\s+65534\\s+65534\\s+65534");
                assertThat(status).containsPattern("Groups:\\s*\n");
            }
            assertThat(status).containsPattern("Seccomp:\\s+2").containsPattern("NoNewPrivs:\\s+1");
            String cmdline =
                    Files.readString(Path.of("/proc/" + c.pid() + "/cmdline")).replace('\0', ' ');
            assertThat(cmdline)
                    .contains("-nic none")
                    .contains("-nodefaults")
                    .contains("spawn=deny")
                    .doesNotContain("unix:")
                    .doesNotContain("netdev");
            // its monitor and agent channel are socket pairs: no path any other process could connect to
            try (var fds = Files.list(Path.of("/proc/" + c.pid() + "/fd"))) {
                for (Path fd : fds.toList()) {
                    String target = Files.readSymbolicLink(fd).toString();
                    assertThat(target).doesNotEndWith(".sock");
                }
            }
            String cgroups = Files.readString(Path.of("/proc/" + c.pid() + "/cgroup"));
            assertThat(cgroups)
                    .contains("isola-vm/"
                            + VmJanitor.cgroupName(TestVms.engine().options().runDir(), c.id().substring(3)));
        }
    }

    /**
     * An attacker who escaped from a guest into its QEMU holds QEMU's uid and descriptors. The golden RAM that every
     * clone starts from, and whose unchanged pages running clones share, must be out of its reach: the descriptor
     * QEMU maps is a sealed copy, and the file on disk is root's.
     */
    @Test
    void anEscapedQemuCannotChangeTheGoldenRam() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Libc.geteuid() == 0, "the VM user exists only when Isola is root");
        int uid = TestVms.options().uid();
        try (Cell c = TestVms.engine().start(TestVms.spec(List.of("/bin/sleep", "600")), QUIET)) {
            Path ram = Path.of("/proc/" + c.pid() + "/fd/6");
            assertThat(Files.readSymbolicLink(ram).toString()).startsWith("/memfd:isola-golden-ram");
            // As QEMU's user: the descriptor is within reach (reading works), but no write gets through.
            assertThat(asUser(uid, "dd if=" + ram + " of=/dev/null bs=4096 count=1")
                            .exitCode())
                    .isZero();
            Result write = asUser(uid, "printf x | dd of=" + ram + " bs=1 count=1 conv=notrunc");
            assertThat(write.exitCode()).isNotZero();
            assertThat(write.output()).contains("Operation not permitted");
            Result file = asUser(
                    uid,
                    "printf x | dd of=" + TestVms.options().goldenDir().resolve("ram") + " bs=1 count=1 conv=notrunc");
            assertThat(file.exitCode()).isNotZero();
            assertThat(file.output()).contains("Permission denied");
        }
    }

    private record Result(int exitCode, String output) {}

    private static Result asUser(int uid, String script) throws Exception {
        Process p = new ProcessBuilder(
                        "/usr/bin/setpriv",
                        "--reuid=" + uid,
                        "--regid=" + uid,
                        "--clear-groups",
                        "--",
                        "/bin/sh",
                        "-c",
                        script)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Result(p.waitFor(), out);
    }

    @Test
    void thePoolSizeAndOtherSettingsComeFromTheEnvironmentAndAreChecked() {
        StatePaths p = new StatePaths(Path.of("/tmp/x"));
        assertThat(VmOptions.fromEnvironment(p, Map.of("ISOLA_VM_POOL_SIZE", "3"))
                        .poolSize())
                .isEqualTo(3);
        assertThat(VmOptions.fromEnvironment(p, Map.of()).poolSize()).isEqualTo(1);
        assertThatThrownBy(() -> VmOptions.fromEnvironment(p, Map.of("ISOLA_VM_POOL_SIZE", "lots")))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("ISOLA_VM_POOL_SIZE must be a whole number");
        assertThatThrownBy(() -> VmOptions.fromEnvironment(p, Map.of("ISOLA_VM_MEMORY_MB", "1")))
                .hasMessageContaining("from 128 to 65536");
    }
}
