package io.isola.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class SealedCopyTest {
    @TempDir
    Path tmp;

    @Test
    void theCopyHoldsTheFilesBytesHolesIncludedAndCannotBeChanged() throws Exception {
        Path file = tmp.resolve("ram");
        byte[] data = new byte[300_000];
        new Random(7).nextBytes(data);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(64L << 20); // a sparse file, like guest RAM: data at both ends, a hole between
            f.write(data);
            f.seek((64L << 20) - data.length);
            f.write(data);
        }
        int fd = SealedCopy.of(file.toString(), "test-copy");
        try {
            Path copy = Path.of("/proc/self/fd/" + fd);
            assertThat(Files.size(copy)).isEqualTo(64L << 20);
            assertThat(SealedCopy.seals(fd))
                    .isEqualTo(SealedCopy.F_SEAL_SEAL
                            | SealedCopy.F_SEAL_SHRINK
                            | SealedCopy.F_SEAL_GROW
                            | SealedCopy.F_SEAL_WRITE);
            try (RandomAccessFile c = new RandomAccessFile(copy.toFile(), "r")) {
                byte[] head = new byte[data.length], middle = new byte[4096], tail = new byte[data.length];
                c.readFully(head);
                c.seek(32L << 20);
                c.readFully(middle);
                c.seek((64L << 20) - data.length);
                c.readFully(tail);
                assertThat(head).isEqualTo(data);
                assertThat(tail).isEqualTo(data);
                assertThat(middle).containsOnly((byte) 0);
            }
            // Even root, through a new read-write open of the same memory, cannot change it.
            try (RandomAccessFile w = new RandomAccessFile(copy.toFile(), "rw")) {
                assertThatThrownBy(() -> w.write(1)).hasMessageContaining("Operation not permitted");
                assertThatThrownBy(() -> w.setLength(1)).hasMessageContaining("Operation not permitted");
            }
        } finally {
            Libc.close(fd);
        }
    }
}
