package io.isola.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.linux.Libc;
import io.isola.linux.UnixSockets;
import io.isola.service.Message;
import io.isola.service.Protocol;
import io.isola.service.Wire;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's door for a terminal's open, as a client that does not play by its rules meets it: a real socket in a
 * runtime folder, a real agent's {@link TerminalOpen} behind it (its session's display is {@code :987}, which nothing
 * serves, so nothing it accepts could start a window). What it cannot serve it answers with -1 ("nothing started
 * here"), and every descriptor that came with a request is closed again. (A request it serves, and another user's,
 * are ServiceWindowTest's: they need a session, a service and a display.)
 */
class AgentSocketTest {
    private Path runtime;
    private AgentSocket door;
    private Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        runtime = Files.createTempDirectory(
                "isola-agent-runtime",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        env = Map.of("XDG_RUNTIME_DIR", runtime.toString(), "DISPLAY", ":987");
        // what an agent that died leaves: taken over by the next one, which owns the bus name by then
        Files.writeString(runtime.resolve(AgentSocket.FILE_NAME), "stale");
        door = AgentSocket.open(env, new TerminalOpen(new DesktopOpen(env)));
        assertThat(door).isNotNull();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (door != null) {
            door.close();
        }
        Files.deleteIfExists(runtime.resolve(AgentSocket.FILE_NAME));
        Files.deleteIfExists(runtime);
    }

    @Test
    void theDoorIsItsOwnersAloneAndGoesWithTheAgent() throws Exception {
        Path socket = runtime.resolve(AgentSocket.FILE_NAME);
        assertThat(Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class)
                        .isOther())
                .as("a socket, not the stale file")
                .isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                .isEqualTo("rw-------");
        door.close();
        door = null;
        assertThat(socket).doesNotExist();
    }

    /**
     * Requests this agent cannot serve: another session's display (ssh -X), a protocol of another version, another
     * verb, no target, a window mode that is not one, fewer than three streams, and its own display, which does not
     * answer here. Each is answered "not here", so that the launcher runs the command itself, and none leaves a
     * descriptor it brought open in the agent.
     */
    @Test
    void aRequestItCannotServeIsAnsweredNotHereAndKeepsNoDescriptor() throws Exception {
        Message good = request(":987");
        java.util.List<Message> refused = java.util.List.of(
                request(":988"),
                rebuild("2", Protocol.OPEN, "/tmp/x.pdf", "required", ":987"),
                rebuild(Protocol.VERSION, Protocol.RUN, "/tmp/x.pdf", "required", ":987"),
                rebuild(Protocol.VERSION, Protocol.OPEN, null, "required", ":987"),
                rebuild(Protocol.VERSION, Protocol.OPEN, "/tmp/x.pdf", "always", ":987"));
        assertThat(ask(good, 3)).isEqualTo("-1"); // the first also loads what answering takes
        long open = openDescriptors();
        for (Message m : refused) {
            assertThat(ask(m, 3)).as(m.toString()).isEqualTo("-1");
        }
        assertThat(ask(good, 1)).as("one stream of three").isEqualTo("-1");
        assertThat(ask(good, 3)).isEqualTo("-1");
        Thread.sleep(200); // the agent's threads close what they took after their reply
        // at most as many as before: each request brought three (a leak shows as ~20 more); others of this JVM's
        // (a test before this one's, the class path's jars) may close meanwhile
        assertThat(openDescriptors())
                .as("descriptors the requests brought, closed again")
                .isLessThanOrEqualTo(open);
    }

    @Test
    void aClientThatSendsNothingIsLetGoWithinTheRequestsTime() throws Exception {
        int fd = UnixSockets.connect(runtime.resolve(AgentSocket.FILE_NAME).toString());
        assertThat(fd).isNotNegative();
        try {
            long t0 = System.nanoTime();
            UnixSockets.receiveTimeout(fd, 10_000);
            assertThat(UnixSockets.receive(fd, 16).data())
                    .as("closed unanswered")
                    .isEmpty();
            assertThat((System.nanoTime() - t0) / 1_000_000)
                    .isBetween(
                            (long) AgentSocket.REQUEST_TIMEOUT_MS - 100, (long) AgentSocket.REQUEST_TIMEOUT_MS + 3000);
        } finally {
            Libc.close(fd);
        }
    }

    private static Message request(String display) {
        return rebuild(Protocol.VERSION, Protocol.OPEN, "/tmp/x.pdf", Protocol.WINDOW_REQUIRED, display);
    }

    private static Message rebuild(String version, String verb, String target, String window, String display) {
        Message m = new Message().add(Protocol.ISOLA, version).add(Protocol.VERB, verb);
        if (target != null) {
            m.add(Protocol.TARGET, target);
        }
        return m.add(Protocol.WINDOW, window).add(AgentSocket.DISPLAY, display);
    }

    private static long openDescriptors() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Sends {@code m} with {@code streams} descriptors of /dev/null; the reply's exit field. */
    private String ask(Message m, int streams) throws Exception {
        int fd = UnixSockets.connect(runtime.resolve(AgentSocket.FILE_NAME).toString());
        int[] fds = new int[streams];
        for (int i = 0; i < streams; i++) {
            fds[i] = Libc.openReadOnly("/dev/null");
        }
        try {
            Wire.send(fd, m, fds);
            UnixSockets.receiveTimeout(fd, 10_000);
            Wire.Frame reply = Wire.receive(fd);
            reply.closeFds();
            return reply.message().get(Protocol.EXIT);
        } finally {
            for (int f : fds) {
                Libc.close(f);
            }
            Libc.close(fd);
        }
    }
}
