package io.isola.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LibcPipeTest {
    private int[] pipe = {-1, -1};

    @AfterEach
    void closePipe() {
        Libc.close(pipe[0]);
        Libc.close(pipe[1]);
    }

    @Test
    void bytesWrittenToThePipeComeOutOfTheReadEnd() {
        pipe = Libc.pipe();
        byte[] data = "hello\0world\n\u00e9".getBytes(StandardCharsets.UTF_8);
        Libc.write(pipe[1], data);
        assertThat(Libc.read(pipe[0], 1024)).isEqualTo(data);
    }

    @Test
    void readReturnsAtMostMaxBytes() {
        pipe = Libc.pipe();
        Libc.write(pipe[1], "abcdef".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(Libc.read(pipe[0], 4), StandardCharsets.US_ASCII)).isEqualTo("abcd");
        assertThat(new String(Libc.read(pipe[0], 4), StandardCharsets.US_ASCII)).isEqualTo("ef");
    }

    @Test
    void aWriteLargerThanThePipeBufferArrivesWhole() throws InterruptedException {
        pipe = Libc.pipe();
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        int writeEnd = pipe[1];
        Thread writer = Thread.ofPlatform().start(() -> {
            Libc.write(writeEnd, data);
            Libc.close(writeEnd);
        });
        pipe[1] = -1;
        byte[] got = Children.readAllBytes(pipe[0]);
        writer.join();
        assertThat(got).isEqualTo(data);
    }

    @Test
    void closingTheWriteEndGivesEndOfFileToTheReader() {
        pipe = Libc.pipe();
        Libc.write(pipe[1], new byte[] {42});
        Libc.close(pipe[1]);
        pipe[1] = -1;
        assertThat(Libc.read(pipe[0], 16)).containsExactly(42);
        assertThat(Libc.read(pipe[0], 16)).isEmpty();
    }

    @Test
    void bothEndsAreCloseOnExec() throws Exception {
        pipe = Libc.pipe();
        for (int fd : pipe) {
            assertThat(FdInfo.flags(fd) & Libc.O_CLOEXEC).isEqualTo(Libc.O_CLOEXEC);
        }
    }

    @Test
    void closingADescriptorThatIsNotOpenFailsWithEbadf() {
        assertThatThrownBy(() -> Libc.close(Integer.MAX_VALUE))
                .isInstanceOfSatisfying(
                        LinuxException.class, e -> assertThat(e.errno()).isEqualTo(9))
                .hasMessageStartingWith("close: Bad file descriptor");
    }

    @Test
    void closingANegativeDescriptorIsANoOp() {
        assertThatCode(() -> Libc.close(-1)).doesNotThrowAnyException();
    }
}
