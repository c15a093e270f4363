package io.isola.desktop;

import io.isola.linux.Libc;
import io.isola.linux.LinuxException;
import io.isola.linux.Sockets;
import io.isola.linux.UnixSockets;
import io.isola.service.Message;
import io.isola.service.Protocol;
import io.isola.service.Wire;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * The agent's own door for {@code isola open [--window] FILE|URL} typed in a terminal of its session: a Unix socket
 * in the person's runtime folder ({@code $XDG_RUNTIME_DIR/isola-agent.sock}), where the launcher's small client
 * ({@code bin/service-call}, Perl) sends the request with the terminal's stdin, stdout and stderr themselves
 * (SCM_RIGHTS), in the service's framing. Beside the bus's route it saves the launcher a {@code dbus-send}, the bus's
 * hop and the taking again of the streams through {@code /proc} (~10 ms of every window a person opens from a
 * terminal), and it serves streams the bus's route cannot: a file (with the shell's offset and append mode), a
 * socket. The bus stays the way in for a click and for starting the agent (activation): this socket exists only while
 * an agent runs, and the launcher takes the bus whenever it is not there or refuses.
 *
 * <p>Who may ask: this person's processes only. The folder is theirs (0700 by the runtime folder's rules), the socket
 * is 0600, and the kernel's word for the peer (SO_PEERCRED) must be this process's user; anything else is closed
 * unanswered. The request is read within {@link #REQUEST_TIMEOUT_MS} and must carry exactly three descriptors.
 *
 * <p>The protocol: one request, {@code isola=1 verb=open target=T window=required|if-graphical display=D} with the
 * three descriptors; while it runs the client may send {@code verb=interrupt} (Ctrl-C) or close the connection (a
 * kill): either ends the cell. The reply is {@code exit=N}, the command's exit code, or {@code exit=-1}: nothing
 * started here, run the command in a JVM.
 */
final class AgentSocket implements AutoCloseable {
    static final String FILE_NAME = "isola-agent.sock";
    static final String DISPLAY = "display";
    static final int REQUEST_TIMEOUT_MS = 2000;

    private final Path path;
    private final int listening;
    private final TerminalOpen terminal;
    private final Semaphore atOnce = new Semaphore(DesktopAgent.CALLS_AT_ONCE);
    private volatile boolean closed;

    private AgentSocket(Path path, int listening, TerminalOpen terminal) {
        this.path = path;
        this.listening = listening;
        this.terminal = terminal;
    }

    /** Where this session's agent listens, or null without a runtime folder of this person's own. */
    static Path path(Map<String, String> env) {
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime == null || !runtime.startsWith("/")) {
            return null;
        }
        Path dir = Path.of(runtime);
        try {
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS) && owner == Libc.geteuid()
                    ? dir.resolve(FILE_NAME)
                    : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Listens at {@link #path} and serves on threads of its own; null (the bus's route only) where there is no place
     * for it. Called once this agent owns its name on the bus: a socket left there is an earlier agent's, which is
     * gone.
     */
    static AgentSocket open(Map<String, String> env, TerminalOpen terminal) {
        Path path = path(env);
        if (path == null) {
            return null;
        }
        try {
            Files.deleteIfExists(path);
            int fd = UnixSockets.listen(path.toString(), 16);
            Libc.chmod(path.toString(), 0600);
            AgentSocket s = new AgentSocket(path, fd, terminal);
            Thread.ofPlatform().daemon().name("isola-agent-socket").start(s::acceptLoop);
            return s;
        } catch (java.io.IOException | RuntimeException e) {
            System.err.println(
                    "isola: the agent serves terminals over the bus only (" + path + ": " + e.getMessage() + ")");
            return null;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            int fd;
            try {
                fd = UnixSockets.accept(listening);
            } catch (LinuxException e) {
                if (closed) {
                    return;
                }
                continue; // a connection that went away before it was taken
            }
            if (UnixSockets.peer(fd).uid() != Libc.geteuid() || !atOnce.tryAcquire()) {
                Libc.close(fd); // another user's (root's, say) is theirs to run; a flood waits for none
                continue;
            }
            Thread.ofPlatform().daemon().name("isola-agent-terminal").start(() -> {
                try {
                    serve(fd);
                } finally {
                    atOnce.release();
                }
            });
        }
    }

    private void serve(int fd) {
        Wire.Frame frame = null;
        try {
            UnixSockets.receiveTimeout(fd, REQUEST_TIMEOUT_MS);
            frame = Wire.receive(fd);
            UnixSockets.receiveTimeout(fd, 0);
            io.isola.core.Trace.mark("terminal request received");
            Message m = frame.message();
            String window = m.get(Protocol.WINDOW), target = m.get(Protocol.TARGET), display = m.get(DISPLAY);
            int code = TerminalOpen.NOT_HERE;
            if (Protocol.VERSION.equals(m.get(Protocol.ISOLA))
                    && Protocol.OPEN.equals(m.get(Protocol.VERB))
                    && frame.fds().length == 3
                    && target != null
                    && display != null
                    && (Protocol.WINDOW_REQUIRED.equals(window) || Protocol.WINDOW_IF_GRAPHICAL.equals(window))
                    && terminal.forHere(display)) {
                code = terminal.serve(
                        target, Protocol.WINDOW_REQUIRED.equals(window), frame.fds(), new ConnectionEnd(fd));
            }
            Wire.send(fd, new Message().add(Protocol.EXIT, code));
        } catch (Wire.Closed | Message.BadFrame | RuntimeException e) {
            // a client gone, or not speaking the protocol: nothing was started for it, or its cell ended with it
        } finally {
            if (frame != null) {
                frame.closeFds();
            }
            Libc.close(fd);
        }
    }

    /**
     * The client's end, read from its connection: an {@code interrupt} it sends (Ctrl-C), or the connection closing
     * (a kill), which the kernel reports whatever killed it.
     */
    private static final class ConnectionEnd implements TerminalOpen.CallerEnd {
        private final int fd;
        private volatile boolean stopped;

        ConnectionEnd(int fd) {
            this.fd = fd;
        }

        @Override
        public boolean await() {
            try {
                while (!stopped) {
                    Wire.Frame f = Wire.receive(fd);
                    f.closeFds();
                    if (Protocol.INTERRUPT.equals(f.message().get(Protocol.VERB))) {
                        return !stopped;
                    }
                }
                return false;
            } catch (Wire.Closed | Message.BadFrame | RuntimeException e) {
                return !stopped;
            }
        }

        @Override
        public void stop() {
            stopped = true;
            Sockets.shutdownRead(fd); // wakes the read; the reply still goes out
        }
    }

    /** Stops listening and takes the socket away: the launcher uses the bus again. */
    @Override
    public void close() {
        closed = true;
        Sockets.shutdown(listening);
        Libc.close(listening);
        try {
            Files.deleteIfExists(path);
        } catch (java.io.IOException e) {
            // the next agent replaces it
        }
    }
}
