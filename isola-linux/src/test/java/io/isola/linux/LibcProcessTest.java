package io.isola.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** kill, waitpid and exit codes on real children (spawned here, so that only we reap them). */
@Timeout(20)
class LibcProcessTest {
    private int child = -1;

    @AfterEach
    void reapChild() {
        Children.killAndReap(child);
    }

    private int spawn(String... argv) {
        child = Spawn.of(List.of(argv)).start();
        return child;
    }

    /** Reaps the child; it no longer needs cleaning up. */
    private int reap(int pid) {
        int status = Libc.waitpid(pid, 0);
        child = -1;
        return status;
    }

    @Test
    void killWithSignalZeroTellsALiveChildFromAReapedOne() {
        int pid = spawn("/bin/sleep", "30");
        assertThat(Libc.kill(pid, 0)).isTrue();
        assertThat(Libc.kill(pid, Libc.SIGKILL)).isTrue();
        reap(pid);
        assertThat(Libc.kill(pid, 0)).isFalse();
    }

    @Test
    void exitCodeIsTheChildsOwnCode() {
        int status = reap(spawn("/bin/sh", "-c", "exit 3"));
        assertThat(Libc.exitCode(status)).isEqualTo(3);
    }

    @Test
    void exitCodeOfAFullByteIsKept() {
        assertThat(Libc.exitCode(reap(spawn("/bin/sh", "-c", "exit 255")))).isEqualTo(255);
        assertThat(Libc.exitCode(reap(spawn("/bin/true")))).isZero();
    }

    @Test
    void exitCodeOfAChildKilledBySigtermIs128Plus15() {
        int pid = spawn("/bin/sleep", "30");
        Libc.kill(pid, Libc.SIGTERM);
        assertThat(Libc.exitCode(reap(pid))).isEqualTo(128 + 15);
    }

    @Test
    void exitCodeOfAChildKilledBySigkillIs137() {
        int pid = spawn("/bin/sleep", "30");
        Libc.kill(pid, Libc.SIGKILL);
        assertThat(Libc.exitCode(reap(pid))).isEqualTo(137);
    }

    @Test
    void waitpidWithWnohangReturnsMinusOneWhileTheChildRuns() {
        int pid = spawn("/bin/sleep", "30");
        assertThat(Libc.waitpid(pid, Libc.WNOHANG)).isEqualTo(-1);
        assertThat(Libc.kill(pid, 0)).isTrue();
    }

    @Test
    void waitpidWithWnohangReturnsTheStatusOnceTheChildEnded() throws InterruptedException {
        int pid = spawn("/bin/sh", "-c", "exit 7");
        int status;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((status = Libc.waitpid(pid, Libc.WNOHANG)) == -1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        if (status != -1) {
            child = -1;
        }
        assertThat(Libc.exitCode(status)).isEqualTo(7);
    }

    @Test
    void waitpidOfAProcessThatIsNotOurChildFailsWithEchild() {
        assertThatThrownBy(() -> Libc.waitpid(1, Libc.WNOHANG))
                .isInstanceOfSatisfying(
                        LinuxException.class, e -> assertThat(e.errno()).isEqualTo(Libc.ECHILD))
                .hasMessageContaining("waitpid")
                .hasMessageContaining("No child processes");
    }

    @Test
    void refusesToSignalPidZeroOrNegativePids() {
        // kill(0) or kill(-1) would hit our own process group or every process we may signal.
        assertThatThrownBy(() -> Libc.kill(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Libc.kill(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
