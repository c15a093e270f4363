package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleLogTest {
    @TempDir
    Path tmp;

    /** As the cloud kernel printed it when /init could not run: the reason, then a stack trace to the last line. */
    @Test
    void aPanicIsSummedUpByItsReasonNotItsStackTrace() {
        List<String> console = List.of(
                "[    1.19] Run /init as init process",
                "[    1.20] Kernel panic - not syncing: No working init found.  Try passing init= option to kernel.",
                "[    1.20] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0-57-cloud-amd64 #1  Debian",
                "[    1.21]  ret_from_fork+0x22/0x30",
                "[    1.21]  </TASK>",
                "[    1.21] Kernel Offset: 0x2c000000 from 0xffffffff81000000");
        assertThat(ConsoleLog.summary(console))
                .startsWith("Kernel panic - not syncing: No working init found.")
                .doesNotContain("\n", "Offset");
    }

    @Test
    void otherwiseTheLastLinesWithoutTimestamps() {
        assertThat(ConsoleLog.summary(List.of("a", "[    0.5] b", "isola: no virtio-serial port", "d")))
                .isEqualTo("b / isola: no virtio-serial port / d");
    }

    /** The console is the guest's to write: a hostile guest must not reach the user's terminal through it. */
    @Test
    void theGuestsBytesAreMadePrintable() throws Exception {
        Path log = tmp.resolve("qemu.log");
        Files.write(log, new byte[] {'o', 'k', '\n', 0x1b, '[', '2', 'J', (byte) 0xff, 'x', '\n'});
        String s = ConsoleLog.summary(log);
        assertThat(s).startsWith("ok / ").doesNotContain("\u001b");
        assertThat(s.chars().noneMatch(Character::isISOControl)).isTrue();
    }
}
