package io.isola.core;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A home directory, and the hidden files in it, are never given to a cell writable; plain folders in it are. */
@Tag("root")
class HostSecretsHomeTest {
    Path home;
    Path state;

    @BeforeEach
    void makeHome() throws IOException {
        home = Path.of("/home", "isola-test-" + System.nanoTime());
        Files.createDirectories(home.resolve("Downloads/out"));
        Files.writeString(home.resolve(".bashrc"), "# shell start-up\n");
        Files.createDirectories(home.resolve(".config/autostart"));
        state = Files.createTempDirectory("isola-state");
    }

    @AfterEach
    void removeHome() throws IOException {
        for (Path p : new Path[] {home, state}) {
            try (Stream<Path> s = Files.walk(p)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void refusesTheHomeItselfAndItsHiddenEntries() {
        for (Path p : new Path[] {home, home.resolve(".bashrc"), home.resolve(".config/autostart")}) {
            assertThatThrownBy(() -> HostSecrets.checkWritable(p, state))
                    .isInstanceOf(IsolaException.class)
                    .hasMessageContaining("refusing --rw " + p);
        }
    }

    @Test
    void acceptsAnOrdinaryFolderInTheHome() {
        assertThatCode(() -> HostSecrets.checkWritable(home.resolve("Downloads/out"), state))
                .doesNotThrowAnyException();
    }
}
