package io.isola.service;

import io.isola.linux.Libc;
import io.isola.linux.Sockets;
import io.isola.linux.UnixSockets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The client side, as small as a command-line start needs: connect, send the request with the caller's stdin,
 * stdout and stderr, wait for the reply. No policy, no type detection, no engine: those are the daemon's.
 */
public final class ServiceClient implements AutoCloseable {
    private final int fd;
    private final CountDownLatch replied = new CountDownLatch(1);

    private ServiceClient(int fd) {
        this.fd = fd;
    }

    /** A connection to the first daemon that answers, or null when none does (the command then runs in process). */
    public static ServiceClient connect(Map<String, String> env) {
        for (String path : ServicePaths.candidates(env, Libc.geteuid() == 0)) {
            int fd;
            try {
                fd = UnixSockets.connect(path);
            } catch (RuntimeException e) {
                continue; // a path too long, or a socket that is not one: no daemon there
            }
            if (fd >= 0) {
                return new ServiceClient(fd);
            }
        }
        return null;
    }

    /** A new request of {@code verb}, stamped with the protocol version and the caller's working directory. */
    public static Message request(String verb) {
        return new Message()
                .add(Protocol.ISOLA, Protocol.VERSION)
                .add(Protocol.VERB, verb)
                .add(Protocol.CWD, System.getProperty("user.dir"));
    }

    /**
     * Sends {@code request} with this process's standard streams, so the cell uses the caller's terminal itself, and
     * waits for the reply. When the daemon goes away first, the reply says so (exit code 125).
     */
    public Message call(Message request) {
        return call(request, 0, 1, 2);
    }

    /**
     * The same with other standard streams: a desktop request has no terminal, so it hands over e.g. /dev/null and
     * a pipe whose lines become a notification.
     */
    public Message call(Message request, int stdin, int stdout, int stderr) {
        return call(request, stdin, stdout, stderr, null);
    }

    /** A frame the daemon sends while a request runs (a cell's window to draw), with its descriptors. */
    public interface Interim {
        /** Takes {@code m}; owns {@code fds} from here. */
        void on(Message m, int[] fds);
    }

    /** The same, handing what the daemon sends before its reply to {@code interim} (null: nothing is expected). */
    public Message call(Message request, int stdin, int stdout, int stderr, Interim interim) {
        try {
            synchronized (this) {
                Wire.send(fd, request, stdin, stdout, stderr);
            }
            while (true) {
                Wire.Frame f = Wire.receive(fd);
                if (f.message().get(Protocol.VERB) == null) { // a reply names no verb
                    f.closeFds();
                    return f.message();
                }
                if (interim == null) {
                    f.closeFds();
                } else {
                    interim.on(f.message(), f.fds());
                }
            }
        } catch (Wire.Closed | Message.BadFrame | RuntimeException e) {
            String why = e instanceof Wire.Closed ? "" : " (" + e.getMessage() + ")";
            return new Message()
                    .add(Protocol.EXIT, 125)
                    .add(
                            Protocol.ERROR,
                            "the Isola service went away before " + "it answered" + why
                                    + "; its cells are gone with it: try again, or use --no-daemon");
        } finally {
            replied.countDown();
        }
    }

    /**
     * The exit code a reply carries, as the command returns it; one that carries none (a daemon of another version,
     * or a broken one) is Isola's failure, 125, and {@code err} is told so.
     */
    public static int exitCode(Message reply, java.io.PrintStream err) {
        try {
            return Integer.parseInt(reply.get(Protocol.EXIT));
        } catch (NumberFormatException | NullPointerException e) {
            err.println("isola: the Isola service sent a reply without an exit code");
            return 125;
        }
    }

    /** Whether the daemon has replied (or gone): the request, and its cells, are over. */
    public boolean replied() {
        return replied.getCount() == 0;
    }

    /** Tells the daemon something while the request runs (from any thread); a daemon gone away hears nothing. */
    public void send(Message m) {
        try {
            synchronized (this) {
                Wire.send(fd, m);
            }
        } catch (RuntimeException e) {
            // the daemon is gone: so is the cell
        }
    }

    /**
     * From a signal handler's thread: asks the daemon to kill the request's cells and waits (a little) for the
     * reply, so that the cell is gone when this process exits. Closing the connection alone would do too.
     */
    public void interrupt() {
        try {
            synchronized (this) {
                Wire.send(fd, new Message().add(Protocol.VERB, Protocol.INTERRUPT));
            }
            replied.await(5, TimeUnit.SECONDS);
        } catch (RuntimeException | InterruptedException e) {
            // the daemon is gone: so is the cell
        }
    }

    @Override
    public void close() {
        Sockets.shutdown(fd);
        Libc.close(fd);
    }
}
