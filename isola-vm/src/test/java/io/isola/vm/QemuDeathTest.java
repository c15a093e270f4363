package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The words for a QEMU that ended: wait statuses as waitpid(2) gives them (LifecycleTest kills a real one). */
class QemuDeathTest {
    @Test
    void anExitSaysItsStatusAndTheConsolesLastLines() {
        assertThat(QemuDeath.describe(1 << 8, "qemu: could not load kernel"))
                .isEqualTo("QEMU exited with status 1; its console's last lines: qemu: could not load kernel");
    }

    @Test
    void aSignalDeathNamesTheSignalAndWhatUsuallySendsIt() {
        assertThat(QemuDeath.describe(9, ""))
                .isEqualTo("QEMU was killed by signal 9 (SIGKILL, from another process "
                        + "or the kernel's out-of-memory killer); its console wrote nothing");
        assertThat(QemuDeath.describe(31, " "))
                .startsWith("QEMU was killed by signal 31 (SIGSYS, from QEMU's own " + "seccomp sandbox")
                .endsWith("; its console wrote nothing");
        assertThat(QemuDeath.describe(11 | 0x80, "x"))
                .startsWith("QEMU was killed by signal 11 (SIGSEGV) and dumped core");
    }

    @Test
    void anUnknownEndSaysSo() {
        assertThat(QemuDeath.describe(-1, ""))
                .isEqualTo("QEMU ended (its exit status is unknown); its console wrote " + "nothing");
    }
}
