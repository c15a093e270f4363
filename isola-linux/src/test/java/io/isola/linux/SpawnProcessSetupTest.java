package io.isola.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a spawned child starts with besides its descriptors: environment, directory, signals. */
@Timeout(20)
class SpawnProcessSetupTest {
    @TempDir
    Path dir;

    @Test
    void theEnvironmentIsExactlyWhatWasGiven() {
        Children.Result r = Children.run(Spawn.of(List.of("/usr/bin/env"))
                .env("B_VAR", "x y=z")
                .env("A_VAR", "1")
                .env("EMPTY", ""));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout().lines()).containsExactlyInAnyOrder("A_VAR=1", "B_VAR=x y=z", "EMPTY=");
    }

    @Test
    void noEnvironmentGivenMeansAnEmptyEnvironment() {
        Children.Result r = Children.run(Spawn.of(List.of("/usr/bin/env")));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void directorySetsTheWorkingDirectory() throws IOException {
        Path work = Files.createDirectories(dir.resolve("work dir"));
        Children.Result r = Children.run(Spawn.of(List.of("/bin/pwd")).directory(work.toString()));
        assertThat(r.stdout()).isEqualTo(work.toRealPath() + "\n");
    }

    @Test
    void theWorkingDirectoryDefaultsToRoot() {
        assertThat(Children.run(Spawn.of(List.of("/bin/pwd"))).stdout()).isEqualTo("/\n");
    }

    @Test
    void argumentsArePassedVerbatimWithoutAShell() {
        Children.Result r = Children.run(Spawn.of(List.of("/bin/echo", "$HOME", "a  b", "*")));
        assertThat(r.stdout()).isEqualTo("$HOME a  b *\n");
    }

    @Test
    void emptyAndNonAsciiArgumentsArriveIntactInTheirOrder() {
        Children.Result r = Children.run(Spawn.of(List.of("/usr/bin/printf", "[%s]", "", "grüße", "日本", "", "last")));
        assertThat(r.stdout()).isEqualTo("[][grüße][日本][][last]");
    }

    @Test
    void anArgumentWithANulCharacterIsRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> Spawn.of(List.of("/bin/echo", "a\0b")).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NUL");
    }

    @Test
    void theChildStartsWithNoBlockedSignalsWhateverTheSpawningThreadBlocks() throws IOException {
        // The JVM blocks signals in its threads (SIGQUIT in this one); the child must not inherit that mask.
        assumeThat(signalSet("/proc/thread-self/status", "SigBlk"))
                .as("this thread blocks a signal")
                .isNotZero();
        Children.Result r = Children.run(Spawn.of(List.of("/bin/grep", "^SigBlk:", "/proc/self/status")));
        assertThat(r.stdout()).isEqualTo("SigBlk:\t0000000000000000\n");
    }

    @Test
    void theChildIgnoresNoSignalsButGlibcsInternalOnes() {
        // glibc's posix_spawn itself leaves its internal signals 32 (SIGCANCEL) and 33 (SIGSETXID) ignored in the
        // child, and sigfillset cannot name them; every other signal must be at its default.
        long glibcInternal = (1L << 31) | (1L << 32);
        Children.Result r = Children.run(Spawn.of(List.of("/bin/grep", "^SigIgn:", "/proc/self/status")));
        long ignored = Long.parseLong(r.stdout().substring("SigIgn:".length()).trim(), 16);
        assertThat(ignored & ~glibcInternal).isZero();
    }

    private static long signalSet(String statusFile, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of(statusFile))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim(), 16);
            }
        }
        throw new IllegalStateException("no " + field + " in " + statusFile);
    }

    @Test
    void aMissingProgramFailsInStartWithEnoent() {
        assertThatThrownBy(() -> Spawn.of(List.of(dir.resolve("no-such-program").toString()))
                        .start())
                .isInstanceOfSatisfying(
                        LinuxException.class, e -> assertThat(e.errno()).isEqualTo(2))
                .hasMessageContaining("spawn " + dir.resolve("no-such-program"));
    }

    @Test
    void aMissingWorkingDirectoryFailsInStart() {
        assertThatThrownBy(() -> Spawn.of(List.of("/bin/true"))
                        .directory(dir.resolve("gone").toString())
                        .start())
                .isInstanceOfSatisfying(
                        LinuxException.class, e -> assertThat(e.errno()).isEqualTo(2));
    }

    @Test
    void anEmptyCommandIsRefused() {
        assertThatThrownBy(() -> Spawn.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
