package io.isola.service;

import io.isola.core.IsolaException;
import io.isola.linux.Libc;
import io.isola.linux.LinuxException;
import io.isola.linux.Sockets;
import io.isola.linux.UnixSockets;
import java.util.function.Consumer;

/**
 * One client, from its request to its reply. The request must arrive whole within {@link Daemon#REQUEST_TIMEOUT_MS},
 * with exactly the client's three standard streams. While it runs, a watcher reads the connection: an
 * {@code interrupt} frame (the client's Ctrl-C), or the connection closing (the client died), kills the request's
 * cells. Any failure is one line back to the client and one in the log; the daemon serves on.
 */
final class Connection {
    private static final boolean TRACE = System.getenv("ISOLA_TRACE") != null;
    private final int fd;
    private final UnixSockets.Peer peer;
    private final Service service;
    private final Consumer<String> log;

    Connection(int fd, UnixSockets.Peer peer, Service service, Consumer<String> log) {
        this.fd = fd;
        this.peer = peer;
        this.service = service;
        this.log = log;
    }

    void serve() {
        Wire.Frame frame = null;
        Request request = null;
        Thread watcher = null;
        try {
            UnixSockets.receiveTimeout(fd, Daemon.REQUEST_TIMEOUT_MS);
            frame = Wire.receive(fd);
            UnixSockets.receiveTimeout(fd, 0);
            User user = User.of(peer.uid(), peer.gid(), peer.pid());
            Message m = frame.message();
            if (!Protocol.VERSION.equals(m.get(Protocol.ISOLA))) {
                throw RunRequest.refused("protocol version '" + m.get(Protocol.ISOLA) + "' is not " + Protocol.VERSION
                        + ": use the isola command of the same version as the service");
            }
            if (frame.fds().length != 3) {
                throw RunRequest.refused(
                        "a request carries exactly 3 descriptors (stdin, stdout, stderr), not " + frame.fds().length);
            }
            request = new Request(user, m, frame.fds(), service.table, fd);
            Request r = request;
            watcher = Thread.ofPlatform().daemon().name("isola-watch").start(() -> watch(r));
            Message reply = service.handle(request);
            reply(reply);
            if (TRACE) {
                request.mark("replied");
                log.accept(who() + " " + m.get(Protocol.VERB) + ":" + request.trace());
            }
        } catch (Wire.Closed e) {
            if (!e.getMessage().equals("closed")) {
                log.accept(who() + ": " + e.getMessage());
            }
        } catch (Message.BadFrame e) {
            log.accept(who() + ": bad request: " + e.getMessage());
            reply(error(2, "bad request: " + e.getMessage()));
        } catch (LinuxException e) {
            log.accept(who() + ": "
                    + (e.errno() == 11
                            ? "sent no whole request within " + Daemon.REQUEST_TIMEOUT_MS + " ms"
                            : e.getMessage()));
            if (e.errno() == 11) {
                reply(error(2, "bad request: no whole request within " + Daemon.REQUEST_TIMEOUT_MS + " ms"));
            }
        } catch (IsolaException e) {
            reply(error(e.exitCode(), e.getMessage()));
        } catch (InterruptedException e) {
            reply(error(125, "the Isola service is stopping"));
        } catch (Exception | Error e) {
            log.accept(who() + ": internal error: " + e);
            reply(error(125, "internal error in the Isola service: " + e + " (its log has the details)"));
        } finally {
            if (request != null) {
                request.finish();
            }
            Sockets.shutdown(fd); // wakes the watcher
            if (watcher != null) {
                try {
                    watcher.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (frame != null) {
                frame.closeFds();
            }
            Libc.close(fd);
        }
    }

    private void watch(Request r) {
        try {
            while (true) {
                Wire.Frame f = Wire.receive(fd);
                f.closeFds(); // nothing the client sends while its request runs carries any
                Message m = f.message();
                if (Protocol.INTERRUPT.equals(m.get(Protocol.VERB))) {
                    r.stop("interrupted by the client (Ctrl-C or a signal)");
                    return;
                }
                r.fromWindow(m);
            }
        } catch (Wire.Closed | Message.BadFrame | RuntimeException e) {
            // the client went away (or broke the protocol): nothing may outlive what owns it
            r.stop("its client went away");
        }
    }

    private void reply(Message m) {
        try {
            Wire.send(fd, m);
        } catch (RuntimeException e) {
            // the client is gone; its cells were stopped by the watcher
        }
    }

    private static Message error(int code, String message) {
        return new Message().add(Protocol.EXIT, code).add(Protocol.ERROR, message);
    }

    private String who() {
        return "uid " + Integer.toUnsignedString(peer.uid()) + " (pid " + peer.pid() + ")";
    }
}
