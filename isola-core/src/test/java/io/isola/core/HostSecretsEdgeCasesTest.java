package io.isola.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cases the HostSecrets contract ("any of them, anything below them, or a directory that contains them") covers but
 * the implementation let through when these tests were written.
 */
class HostSecretsEdgeCasesTest {
    @TempDir
    Path tmp;

    @Test
    void refusesTheKeyringsDirectoryItself() throws IOException {
        Path state = Files.createDirectories(tmp.resolve("state"));
        Path keyrings = Files.createDirectories(tmp.resolve("home/me/.local/share/keyrings"));
        assertRefused(keyrings, state);
    }

    @Test
    void refusesTheStateDirWhenItIsNamedThroughASymlink() throws IOException {
        Path realState = Files.createDirectories(tmp.resolve("real-state"));
        Path stateLink = Files.createSymbolicLink(tmp.resolve("state"), realState);
        assertRefused(realState, stateLink);
    }

    @Test
    void refusesADirectoryThatContainsTheStateDir() throws IOException {
        Path parent = Files.createDirectories(tmp.resolve("home/me/.local/state"));
        Path state = Files.createDirectories(parent.resolve("isola"));
        assertRefused(parent, state);
    }

    private static void assertRefused(Path p, Path stateDir) {
        assertThatThrownBy(() -> HostSecrets.checkWritable(p, stateDir))
                .isInstanceOfSatisfying(
                        IsolaException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("refusing --rw");
    }
}
