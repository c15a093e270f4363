package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The accelerator probe's record as isola doctor reads it: a damaged record reads as "not probed", never a crash. */
class ProbeRecordTest {
    @TempDir
    Path vmDir;

    @Test
    void noRecordMeansNotProbedYet() {
        assertThat(Probe.lastResult(vmDir)).isNull();
    }

    @Test
    void aRecordGivesTheAcceleratorItNames() throws Exception {
        Files.writeString(vmDir.resolve("accelerator"), "TCG 0123abcd\n");
        assertThat(Probe.lastResult(vmDir)).isEqualTo(Accelerator.TCG);
    }

    @Test
    void aDamagedRecordReadsAsNotProbed() throws Exception {
        for (String damaged : new String[] {"", "\n", "tcg 0123", "QEMU 0123", "\u0000"}) {
            Files.writeString(vmDir.resolve("accelerator"), damaged);
            assertThat(Probe.lastResult(vmDir)).as(damaged).isNull();
        }
    }
}
