package io.isola.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSocketsTest {
    @TempDir
    Path dir;

    @Test
    void descriptorsAndThePeersIdentityTravelOverANamedSocket() throws Exception {
        String path = dir.resolve("s.sock").toString();
        int listening = UnixSockets.listen(path, 4);
        int client = UnixSockets.connect(path);
        int server = UnixSockets.accept(listening);
        int[] pipe = Libc.pipe();
        try {
            UnixSockets.Peer peer = UnixSockets.peer(server);
            assertThat(peer.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(peer.uid()).isEqualTo(Libc.geteuid());

            UnixSockets.send(client, "hello".getBytes(StandardCharsets.UTF_8), new int[] {pipe[1]});
            UnixSockets.Received r = UnixSockets.receive(server, 64);
            assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(r.fds()).hasSize(1);
            // the received descriptor is the same pipe: what is written to it comes out of our read end
            Libc.write(r.fds()[0], "through".getBytes(StandardCharsets.UTF_8));
            Libc.close(r.fds()[0]);
            assertThat(new String(Libc.read(pipe[0], 64), StandardCharsets.UTF_8))
                    .isEqualTo("through");

            Libc.close(client);
            client = -1;
            assertThat(UnixSockets.receive(server, 64).data()).isEmpty(); // the peer closed
        } finally {
            Libc.close(client);
            Libc.close(server);
            Libc.close(listening);
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
        }
    }

    @Test
    void nothingListeningIsMinusOneNotAnError() throws Exception {
        assertThat(UnixSockets.connect(dir.resolve("none.sock").toString())).isEqualTo(-1);
        Path stale = dir.resolve("stale.sock");
        Libc.close(UnixSockets.listen(stale.toString(), 1)); // the file stays, nobody listens
        assertThat(Files.exists(stale)).isTrue();
        assertThat(UnixSockets.connect(stale.toString())).isEqualTo(-1);
    }

    @Test
    void aReadTimeoutEndsAWaitForAHalfSentMessage() {
        String path = dir.resolve("t.sock").toString();
        int listening = UnixSockets.listen(path, 1);
        int client = UnixSockets.connect(path);
        int server = UnixSockets.accept(listening);
        try {
            UnixSockets.receiveTimeout(server, 100);
            long t0 = System.nanoTime();
            try {
                UnixSockets.receive(server, 16);
                throw new AssertionError("no timeout");
            } catch (LinuxException e) {
                assertThat(e.errno()).isEqualTo(11); // EAGAIN
            }
            assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
        } finally {
            Libc.close(client);
            Libc.close(server);
            Libc.close(listening);
        }
    }
}
