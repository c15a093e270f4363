package io.isola.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Which descriptors a spawned child gets: exactly the mapped ones besides stdin/stdout/stderr. */
@Timeout(20)
class SpawnFdMappingTest {
    @TempDir
    Path dir;

    private final List<Integer> fds = new ArrayList<>();
    private int child = -1;

    @AfterEach
    void cleanUp() {
        fds.forEach(Libc::close);
        Children.killAndReap(child);
    }

    private int[] pipe() {
        int[] p = Libc.pipe();
        fds.add(p[0]);
        fds.add(p[1]);
        return p;
    }

    /** Our copy of a write end must go once the child has its own, or the reader never sees end of file. */
    private void closeOurs(int fd) {
        fds.remove(Integer.valueOf(fd));
        Libc.close(fd);
    }

    private int start(Spawn spawn) {
        child = spawn.start();
        return child;
    }

    private int reap() {
        int status = Libc.waitpid(child, 0);
        child = -1;
        return Libc.exitCode(status);
    }

    @Test
    void stdoutMappedToAPipeReachesTheReadEnd() {
        int[] out = pipe();
        start(Spawn.of(List.of("/bin/echo", "hello from the child")).fd(1, out[1]));
        closeOurs(out[1]);
        assertThat(Children.readToEnd(out[0])).isEqualTo("hello from the child\n");
        assertThat(reap()).isZero();
    }

    @Test
    void stdinMappedToAPipeFeedsTheChild() {
        int[] in = pipe(), out = pipe();
        start(Spawn.of(List.of("/bin/cat")).fd(0, in[0]).fd(1, out[1]));
        closeOurs(out[1]);
        Libc.write(in[1], "piped in\n".getBytes(StandardCharsets.UTF_8));
        closeOurs(in[1]);
        assertThat(Children.readToEnd(out[0])).isEqualTo("piped in\n");
        assertThat(reap()).isZero();
    }

    @Test
    void aPipeMappedToFd7CarriesWhatTheShellWritesThere() {
        int[] out = pipe(), seven = pipe();
        start(Spawn.of(List.of("/bin/sh", "-c", "echo on-stdout; echo x >&7"))
                .fd(1, out[1])
                .fd(7, seven[1]));
        closeOurs(out[1]);
        closeOurs(seven[1]);
        assertThat(Children.readToEnd(out[0])).isEqualTo("on-stdout\n");
        assertThat(Children.readToEnd(seven[0])).isEqualTo("x\n");
        assertThat(reap()).isZero();
    }

    @Test
    void descriptorsAboveTheMappedOnesAreClosedInTheChild() throws IOException {
        int[] out = pipe(), three = pipe();
        // An open file of ours (not close-on-exec, as the JVM opens them) that the child must not see.
        try (var unrelated = Files.newByteChannel(Files.writeString(dir.resolve("unrelated"), "secret"))) {
            start(Spawn.of(List.of("/bin/ls", "/proc/self/fd")).fd(1, out[1]).fd(3, three[1]));
        }
        closeOurs(out[1]);
        closeOurs(three[1]);
        // 0 and 2 are inherited, 1 and 3 mapped, 4 is the directory ls itself opened to list /proc/self/fd.
        assertThat(Children.readToEnd(out[0]).lines().map(Integer::parseInt).sorted())
                .containsExactly(0, 1, 2, 3, 4);
        assertThat(reap()).isZero();
    }

    @Test
    void descriptorsBetweenTheMappedOnesAreClosedInTheChild() {
        int[] out = pipe(), seven = pipe();
        start(Spawn.of(List.of("/bin/ls", "/proc/self/fd")).fd(1, out[1]).fd(7, seven[1]));
        closeOurs(out[1]);
        closeOurs(seven[1]);
        // 0 and 2 are inherited, 1 and 7 mapped, 3 is the directory ls itself opened to list /proc/self/fd.
        // Our own descriptors 3-6 (the JVM opens its jars without O_CLOEXEC) must not reach the child.
        assertThat(Children.readToEnd(out[0]).lines().map(Integer::parseInt).sorted())
                .containsExactly(0, 1, 2, 3, 7);
        assertThat(reap()).isZero();
    }

    @Test
    void twoDescriptorsMappedOntoEachOtherAreSwappedNotClobbered() {
        int[] a = pipe(), b = pipe();
        int fdA = a[1], fdB = b[1];
        // The child's fdA is our pipe b, its fdB our pipe a.
        start(Spawn.of(List.of(
                        "/bin/sh",
                        "-c",
                        "echo written-to-" + fdA + " >/proc/self/fd/" + fdA + "; echo written-to-" + fdB
                                + " >/proc/self/fd/" + fdB))
                .fd(fdA, fdB)
                .fd(fdB, fdA));
        closeOurs(fdA);
        closeOurs(fdB);
        assertThat(reap()).isZero();
        assertThat(Children.readToEnd(b[0])).isEqualTo("written-to-" + fdA + "\n");
        assertThat(Children.readToEnd(a[0])).isEqualTo("written-to-" + fdB + "\n");
    }

    @Test
    void openReadOnlyGivesTheChildAFreshReadOnlyDescriptor() throws IOException {
        Path file = Files.writeString(dir.resolve("input.txt"), "file content\n");
        int[] out = pipe();
        start(Spawn.of(List.of("/bin/sh", "-c", "cat <&5; echo more 2>/dev/null >&5 || echo write-refused"))
                .fd(1, out[1])
                .openReadOnly(5, file.toString()));
        closeOurs(out[1]);
        assertThat(Children.readToEnd(out[0])).isEqualTo("file content\nwrite-refused\n");
        assertThat(reap()).isZero();
        assertThat(Files.readString(file)).isEqualTo("file content\n");
    }

    @Test
    void openReadOnlyStartsAtTheBeginningWhateverOurOwnDescriptorsRead() throws IOException {
        Path file = Files.writeString(dir.resolve("input.txt"), "0123456789");
        int ours = Libc.openReadOnly(file.toString());
        fds.add(ours);
        assertThat(Libc.read(ours, 4)).hasSize(4);
        int[] out = pipe();
        start(Spawn.of(List.of("/bin/cat", "/proc/self/fd/5")).fd(1, out[1]).openReadOnly(5, file.toString()));
        closeOurs(out[1]);
        assertThat(Children.readToEnd(out[0])).isEqualTo("0123456789");
        assertThat(reap()).isZero();
    }
}
