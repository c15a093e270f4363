package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.linux.Libc;
import io.isola.linux.UnixSockets;
import io.isola.service.Message;
import io.isola.service.Protocol;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients speak to the socket directly: each bad request gets one clear refusal (or the door), and the
 * daemon keeps serving the real command line right after.
 */
@Tag("kernel")
class DaemonBadInputTest {
    static DaemonFixture d;

    @BeforeAll
    static void start() throws Exception {
        d = new DaemonFixture("--max-per-user", "4");
    }

    @AfterAll
    static void stop() throws Exception {
        d.close();
    }

    @Test
    void anOversizedFrameIsRefusedBeforeItIsRead() {
        assertThat(exchange(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array(), true))
                .contains("larger than the " + Message.MAX_BYTES);
        assertServing();
    }

    @Test
    void malformedFramesAreRefused() {
        byte[] badKeyLength = frame(new byte[] {0, 0, 0, 0, 1});
        assertThat(exchange(badKeyLength, true)).contains("bad request");
        byte[] valuePastEnd = frame(new byte[] {1, 'a', 0, 0, 0, 50, 'x'});
        assertThat(exchange(valuePastEnd, true)).contains("runs past the end");
        byte[] notUtf8 = frame(new byte[] {1, 'a', 0, 0, 0, 2, (byte) 0xc3, (byte) 0x28});
        assertThat(exchange(notUtf8, true)).contains("not UTF-8");
        assertServing();
    }

    @Test
    void requestsWithoutTheirStreamsOrWithBadFieldsAreRefused() {
        Message noFds = request().add(Protocol.ARG, "/bin/true");
        assertThat(exchange(noFds.encode(), false)).contains("exactly 3 descriptors");
        Message wrongVersion = new Message().add(Protocol.ISOLA, "99").add(Protocol.VERB, Protocol.RUN);
        assertThat(exchange(wrongVersion.encode(), true)).contains("protocol version '99'");
        Message dotDot = request().add(Protocol.RO, "/tmp/../etc/shadow").add(Protocol.ARG, "/bin/true");
        assertThat(exchange(dotDot.encode(), true)).contains("not absolute and normal");
        Message relative = request().add(Protocol.RO, "etc").add(Protocol.ARG, "/bin/true");
        assertThat(exchange(relative.encode(), true)).contains("not absolute and normal");
        Message badEnv = request().add(Protocol.ENV, "A B=1").add(Protocol.ARG, "/bin/true");
        assertThat(exchange(badEnv.encode(), true)).contains("NAME=VALUE");
        Message badVerb = new Message().add(Protocol.ISOLA, Protocol.VERSION).add(Protocol.VERB, "format-disk");
        assertThat(exchange(badVerb.encode(), true)).contains("unknown verb");
        Message badNumber = request().add(Protocol.MEMORY, "lots").add(Protocol.ARG, "/bin/true");
        assertThat(exchange(badNumber.encode(), true)).contains("whole number");
        assertServing();
    }

    @Test
    void aHalfSentRequestIsDroppedAfterItsTimeAndOthersAreServedMeanwhile() throws Exception {
        int fd = UnixSockets.connect(d.socket.toString());
        try {
            byte[] whole = request().add(Protocol.ARG, "/bin/true").encode();
            UnixSockets.send(fd, java.util.Arrays.copyOf(whole, 10), new int[] {0, 1, 2});
            assertServing(); // while the half request waits
            String reply = reply(fd);
            assertThat(reply).contains("no whole request within");
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void aClientThatVanishesMidRequestCostsNothing() {
        for (int i = 0; i < 20; i++) {
            int fd = UnixSockets.connect(d.socket.toString());
            byte[] whole = request().add(Protocol.ARG, "/bin/true").encode();
            try {
                UnixSockets.send(fd, java.util.Arrays.copyOf(whole, whole.length / 2), new int[] {0, 1, 2});
            } catch (RuntimeException refusedAtTheDoor) {
                // more than --max-per-user at once: the daemon answered and closed before we finished
            } finally {
                Libc.close(fd);
            }
        }
        assertServing();
    }

    @Test
    void tenThousandRequestsInABurstLeaveTheDaemonServing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            answers.add(pool.submit(() -> {
                int answered = 0;
                for (int i = 0; i < 1250; i++) {
                    int fd = UnixSockets.connect(d.socket.toString());
                    if (fd < 0) {
                        continue; // the backlog was full: the kernel refused, which is an answer too
                    }
                    try {
                        UnixSockets.send(fd, new byte[] {0, 0, 0, 3, 9, 9, 9}, new int[0]);
                        answered += reply(fd).isEmpty() ? 0 : 1;
                    } catch (RuntimeException e) {
                        // reset by a daemon that refused at the door
                    } finally {
                        Libc.close(fd);
                    }
                }
                return answered;
            }));
        }
        int answered = 0;
        for (Future<Integer> f : answers) {
            answered += f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        // Most are answered (5,000-9,000 here); how many depends on the machine's load, since a connection the daemon
        // refuses at the door or resets is not counted. What must hold: it answers many, not none, and serves on.
        assertThat(answered).isGreaterThan(1000);
        assertServing();
        assertThat(d.daemon.isAlive()).isTrue();
    }

    private static Message request() {
        return new Message()
                .add(Protocol.ISOLA, Protocol.VERSION)
                .add(Protocol.VERB, Protocol.RUN)
                .add(Protocol.CWD, "/");
    }

    private static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(4 + body.length)
                .putInt(body.length)
                .put(body)
                .array();
    }

    /** Sends raw bytes (with this JVM's stdin/stdout/stderr when {@code withFds}) and returns the reply's error. */
    private static String exchange(byte[] bytes, boolean withFds) {
        int fd = UnixSockets.connect(d.socket.toString());
        assertThat(fd).isNotNegative();
        try {
            UnixSockets.send(fd, bytes, withFds ? new int[] {0, 1, 2} : new int[0]);
            return reply(fd);
        } finally {
            Libc.close(fd);
        }
    }

    /** The reply's error field (or "exit N" when it has none); empty when the daemon closed without a reply. */
    private static String reply(int fd) {
        ByteBuffer all = ByteBuffer.allocate(1 << 16);
        while (true) {
            byte[] got = UnixSockets.receive(fd, 4096).data();
            if (got.length == 0) {
                break;
            }
            all.put(got);
        }
        all.flip();
        if (all.remaining() < 4) {
            return "";
        }
        byte[] body = new byte[all.getInt()];
        all.get(body);
        try {
            Message m = Message.decode(body);
            return m.get(Protocol.ERROR) != null ? m.get(Protocol.ERROR) : "exit " + m.get(Protocol.EXIT);
        } catch (Message.BadFrame e) {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static void assertServing() {
        Cli.Result r = d.run("run", "--", "/bin/echo", "still serving");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("still serving\n");
        assertThat(Path.of(d.socket.toString()))
                .satisfies(p -> assertThat(Files.exists(p)).isTrue());
    }
}
