package io.isola.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reading a small file someone named: only a regular file, never more than the cap, never blocking. */
@Timeout(20)
class SmallFileTest {
    @TempDir
    Path dir;

    @Test
    void readsARegularFileThroughASymlink() throws IOException {
        Path f = Files.writeString(dir.resolve("p.toml"), "version = 1\n");
        Path link = Files.createSymbolicLink(dir.resolve("link"), f);
        assertThat(new String(SmallFile.read(link.toString(), 100), StandardCharsets.UTF_8))
                .isEqualTo("version = 1\n");
        assertThat(SmallFile.read(f.toString(), 12)).hasSize(12);
    }

    @Test
    void refusesWhatIsNoRegularFileWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor())
                .isZero();
        assertRefused(fifo.toString(), "not a regular file (a FIFO)");
        assertRefused("/dev/zero", "not a regular file (a character device)");
        assertRefused(dir.toString(), "not a regular file (a directory)");
        Path toZero = Files.createSymbolicLink(dir.resolve("zero"), Path.of("/dev/zero"));
        assertRefused(toZero.toString(), "not a regular file (a character device)");
    }

    @Test
    void refusesAUnixSocket() throws IOException {
        Path sock = dir.resolve("s");
        try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(java.net.UnixDomainSocketAddress.of(sock));
            assertRefused(sock.toString(), "not a regular file (a socket)");
        }
    }

    @Test
    void refusesMoreThanTheCapBySizeOrByWhatItReads() throws IOException {
        Path sparse = dir.resolve("sparse");
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(8L << 30);
        }
        assertRefused(sparse.toString(), "larger than 1 MiB", 1 << 20);
        Path over = Files.write(dir.resolve("over"), new byte[101]);
        assertRefused(over.toString(), "larger than 100 bytes", 100);
        // /proc files say their size is 0 and then read on: only what was read counts
        assertThatThrownBy(() -> SmallFile.read("/proc/self/maps", 10))
                .isInstanceOf(SmallFile.Refused.class)
                .hasMessage("larger than 10 bytes");
    }

    @Test
    void aMissingFileIsEnoent() {
        assertThatThrownBy(() -> SmallFile.read(dir.resolve("none").toString(), 10))
                .isInstanceOfSatisfying(
                        LinuxException.class, e -> assertThat(e.errno()).isEqualTo(Libc.ENOENT));
    }

    private static void assertRefused(String path, String message) {
        assertRefused(path, message, 1 << 20);
    }

    private static void assertRefused(String path, String message, int max) {
        assertThatThrownBy(() -> SmallFile.read(path, max))
                .isInstanceOf(SmallFile.Refused.class)
                .hasMessage(message);
    }
}
