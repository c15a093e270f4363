package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Cell;
import io.isola.core.CellExit;
import io.isola.core.Stdio;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run, stdio and exit codes through the guest agent, in real QEMU clones (TCG here). */
@Tag("qemu")
class AgentRunTest {
    @TempDir
    Path tmp;

    private CellExit run(List<String> cmd, String stdin) throws Exception {
        Files.writeString(tmp.resolve("in"), stdin);
        try (Cell c = TestVms.engine()
                .start(TestVms.spec(cmd), Stdio.files(tmp.resolve("in"), tmp.resolve("out"), tmp.resolve("err")))) {
            return c.waitFor();
        }
    }

    @Test
    void stdoutAndExitCodeComeBack() throws Exception {
        CellExit e = run(List.of("/bin/sh", "-c", "echo hello from the guest; echo oops >&2; exit 7"), "");
        assertThat(e.exitCode()).isEqualTo(7);
        assertThat(e.reason()).isEqualTo(CellExit.Reason.EXITED);
        assertThat(Files.readString(tmp.resolve("out"))).isEqualTo("hello from the guest\n");
        assertThat(Files.readString(tmp.resolve("err"))).isEqualTo("oops\n");
    }

    @Test
    void stdinStreamsIn() throws Exception {
        CellExit e = run(List.of("/usr/bin/tr", "a-z", "A-Z"), "shout this\n");
        assertThat(e.exitCode()).isZero();
        assertThat(Files.readString(tmp.resolve("out"))).isEqualTo("SHOUT THIS\n");
    }

    /**
     * A window hands its cell the read end of its input pipe as {@code /proc/self/fd/N} and closes it as soon as the
     * cell has started. The cell read that path on a thread of its own, later: one VM window in six got no input at
     * all (its clipboard never came out), and a file that took the number meanwhile would have been typed into it.
     */
    @Test
    void aStdinNamedByDescriptorReachesTheTaskThoughTheCallerClosesItAtOnce() throws Exception {
        for (int i = 0; i < 3; i++) {
            int[] pipe = io.isola.linux.Libc.pipe();
            Path out = tmp.resolve("out" + i);
            try (Cell c = TestVms.engine()
                    .start(
                            TestVms.spec(List.of("/bin/sh", "-c", "read -r l && echo \"got:$l\"")),
                            Stdio.files(Path.of("/proc/self/fd/" + pipe[0]), out, tmp.resolve("err")))) {
                io.isola.linux.Libc.close(pipe[0]); // as the window does, the moment start returns
                io.isola.linux.Libc.write(
                        pipe[1], ("line " + i + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                io.isola.linux.Libc.close(pipe[1]);
                assertThat(c.waitFor(java.time.Duration.ofSeconds(60))).isPresent();
            }
            assertThat(Files.readString(out)).as("run " + i).isEqualTo("got:line " + i + "\n");
        }
    }

    @Test
    void aSignalDeathIs128PlusTheSignal() throws Exception {
        assertThat(run(List.of("/bin/sh", "-c", "kill -9 $$"), "").exitCode()).isEqualTo(137);
    }

    @Test
    void aMissingCommandIs127() throws Exception {
        CellExit e = run(List.of("/no/such/program"), "");
        assertThat(e.exitCode()).isEqualTo(127);
        assertThat(Files.readString(tmp.resolve("err"))).contains("/no/such/program");
    }

    @Test
    void theTaskRunsInAVmNotOnTheHost() throws Exception {
        run(List.of("/bin/sh", "-c", "hostname; cat /proc/cmdline"), "");
        assertThat(Files.readString(tmp.resolve("out"))).startsWith("cell\n").contains("rdinit=/init");
    }

    /**
     * Under TCG the guest maps processes at fixed addresses (QEMU 7.2 keys translated code by virtual address); under
     * KVM, where that costs nothing, address randomization stays on.
     */
    @Test
    void addressRandomizationIsOffOnlyUnderEmulation() throws Exception {
        run(List.of("/bin/cat", "/proc/sys/kernel/randomize_va_space"), "");
        String expected = TestVms.engine().accelerator() == Accelerator.TCG ? "0" : "2";
        assertThat(Files.readString(tmp.resolve("out")).trim()).isEqualTo(expected);
    }
}
