package io.isola.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** open, read, write and chmod on real files. */
class LibcFileTest {
    @TempDir
    Path dir;

    private final List<Integer> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(Libc::close);
    }

    private int track(int fd) {
        open.add(fd);
        return fd;
    }

    private void close(int fd) {
        open.remove(Integer.valueOf(fd));
        Libc.close(fd);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void openWriteMakesAPrivateFileThatOpenReadOnlyReadsBack() throws IOException {
        Path file = dir.resolve("out.txt");
        int w = track(Libc.openWrite(file.toString(), false));
        Libc.write(w, bytes("first line\n"));
        close(w);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        int r = track(Libc.openReadOnly(file.toString()));
        assertThat(new String(Libc.read(r, 100), StandardCharsets.UTF_8)).isEqualTo("first line\n");
        assertThat(Libc.read(r, 100)).isEmpty();
    }

    @Test
    void openWriteWithoutAppendTruncates() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "old content that is long");
        int w = track(Libc.openWrite(file.toString(), false));
        Libc.write(w, bytes("new"));
        assertThat(Files.readString(file)).isEqualTo("new");
    }

    @Test
    void openWriteWithAppendKeepsWhatWasThere() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "old;");
        int w = track(Libc.openWrite(file.toString(), true));
        Libc.write(w, bytes("new"));
        assertThat(Files.readString(file)).isEqualTo("old;new");
    }

    @Test
    void openedDescriptorsAreCloseOnExecAndReadOnlyIsReadOnly() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "x");
        int r = track(Libc.openReadOnly(file.toString()));
        int w = track(Libc.openWrite(file.toString(), true));
        assertThat(FdInfo.target(r)).isEqualTo(file.toRealPath());
        assertThat(FdInfo.flags(r) & 03).as("access mode").isEqualTo(0);
        assertThat(FdInfo.flags(w) & 03).as("access mode").isEqualTo(1);
        assertThat(FdInfo.flags(r) & Libc.O_CLOEXEC).isEqualTo(Libc.O_CLOEXEC);
        assertThat(FdInfo.flags(w) & Libc.O_CLOEXEC).isEqualTo(Libc.O_CLOEXEC);
        assertThatThrownBy(() -> Libc.write(r, bytes("y")))
                .isInstanceOfSatisfying(
                        LinuxException.class, e -> assertThat(e.errno()).isEqualTo(9));
    }

    @Test
    void openingAMissingFileFailsWithEnoentAndTheName() {
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> Libc.openReadOnly(missing.toString()))
                .isInstanceOfSatisfying(
                        LinuxException.class, e -> assertThat(e.errno()).isEqualTo(2))
                .hasMessage("open " + missing + ": No such file or directory (errno 2)");
    }

    @Test
    void chmodSetsTheMode() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "x");
        Libc.chmod(file.toString(), 0640);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-r-----");
        Libc.chmod(file.toString(), 0705);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rwx---r-x");
    }

    @Test
    void chmodOfAMissingFileFails() {
        assertThatThrownBy(() -> Libc.chmod(dir.resolve("missing").toString(), 0600))
                .isInstanceOfSatisfying(
                        LinuxException.class, e -> assertThat(e.errno()).isEqualTo(2))
                .hasMessageStartingWith("chmod ");
    }

    @Test
    void geteuidIsTheOwnerOfFilesWeCreate() throws IOException {
        Path file = Files.createFile(dir.resolve("mine"));
        assertThat(Libc.geteuid()).isEqualTo(Files.getAttribute(file, "unix:uid"));
    }
}
