package io.isola.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which host paths a cell may get writable, checked against real files. */
class HostSecretsTest {
    @TempDir
    Path tmp;

    Path state;

    @BeforeEach
    void makeStateDir() throws IOException {
        state = Files.createDirectories(tmp.resolve("state"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc", "/root", "/usr/lib", "/etc/ssh", "/var/lib", "/proc/self", "/dev"})
    void refusesSystemPlaces(String path) {
        assertRefused(Path.of(path)).hasMessageContaining("it is under");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/home", "/var"})
    void refusesDirectoriesHoldingTheWholeSystem(String path) {
        assertRefused(Path.of(path)).hasMessageContaining("whole system");
    }

    @Test
    void refusesADirectoryThatContainsSsh() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("home/me"));
        Files.createDirectory(home.resolve(".ssh"));
        assertRefused(home).hasMessageContaining("it contains .ssh");
    }

    @Test
    void refusesADirectoryThatContainsANetrcFile() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("home/me"));
        Files.writeString(home.resolve(".netrc"), "machine example.com password x\n");
        assertRefused(home).hasMessageContaining("it contains .netrc");
    }

    @Test
    void refusesAPathUnderGnupg() throws IOException {
        Path inside = Files.createDirectories(tmp.resolve("home/me/.gnupg/private-keys-v1.d"));
        assertRefused(inside).hasMessageContaining("it is under .gnupg");
    }

    @Test
    void refusesTheStateDirAndAnythingBelowIt() throws IOException {
        assertRefused(state).hasMessageContaining("Isola's own state");
        assertRefused(Files.createDirectories(state.resolve("run/cell"))).hasMessageContaining("Isola's own state");
    }

    @Test
    void refusesASymlinkPointingIntoEtc() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("innocent"), Path.of("/etc"));
        try {
            assertRefused(link).hasMessageContaining("it is under /etc").hasMessageContaining(link.toString());
        } finally {
            Files.delete(link); // ourselves, so that @TempDir never walks a link out of its directory
        }
    }

    @Test
    void refusesASymlinkPointingAtAnSshDirectory() throws IOException {
        Path ssh = Files.createDirectories(tmp.resolve("home/me/.ssh"));
        Path link = Files.createSymbolicLink(tmp.resolve("work"), ssh);
        assertRefused(link).hasMessageContaining("it is under .ssh");
    }

    @Test
    void refusesAMissingPathWithUsageExitCode() {
        assertRefused(tmp.resolve("does-not-exist")).hasMessageContaining("no such file or directory");
    }

    @Test
    void acceptsAPlainDirectoryAndAFileInIt() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path file = Files.writeString(work.resolve("notes.txt"), "hi");
        assertThatCode(() -> HostSecrets.checkWritable(work, state)).doesNotThrowAnyException();
        assertThatCode(() -> HostSecrets.checkWritable(file, state)).doesNotThrowAnyException();
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(Path p) {
        return assertThatThrownBy(() -> HostSecrets.checkWritable(p, state))
                .isInstanceOfSatisfying(
                        IsolaException.class, e -> assertThat(e.exitCode()).isEqualTo(2));
    }
}
