package io.isola.service;

import io.isola.core.IsolaException;
import io.isola.core.StatePaths;
import io.isola.core.audit.AuditLog;
import io.isola.core.trust.Seal;
import io.isola.linux.Libc;
import io.isola.linux.LinuxException;
import io.isola.linux.Sockets;
import io.isola.linux.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * {@code isola daemon}: one listening socket, one platform thread that accepts, and one platform thread per admitted
 * connection. Platform threads, not virtual ones: a connection spends its life blocked in recvmsg() and waitpid()
 * downcalls, and a blocked FFM downcall pins a virtual thread's carrier, so on two cores two waiting clients would
 * stall every other. Admission bounds the threads instead: each user may have {@code maxPerUser} requests at once
 * and the daemon {@code maxTotal}; more are refused at once with a one-line reason, so one user's flood leaves the
 * others served.
 */
public final class Daemon implements AutoCloseable {
    /** How long a client may take to send its whole request; a half-sent one is dropped after this. */
    static final long REQUEST_TIMEOUT_MS = 5_000;

    /** @param socket where to listen (ignored when systemd hands over a socket) */
    public record Options(
            StatePaths paths,
            String socket,
            Path policyFile,
            int maxPerUser,
            int maxTotal,
            int poolSize,
            Map<String, String> env) {}

    private final Options options;
    private final Consumer<String> log;
    private final AuditLog audit;
    private final Engines engines;
    private final Service service;
    private final int listening;
    private final boolean ownSocketFile;
    private final ExecutorService connections = Executors.newCachedThreadPool(
            r -> Thread.ofPlatform().daemon().name("isola-conn").unstarted(r));
    private final Map<Integer, AtomicInteger> perUser = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private volatile boolean stopping;
    private Thread acceptor;

    private Daemon(Options options, Consumer<String> log) {
        this.options = options;
        this.log = log;
        this.audit = AuditLog.open(options.paths().auditLog());
        try {
            PolicySource policies = new PolicySource(options.policyFile(), log);
            Seal seal;
            try {
                seal = Seal.open(options.paths().root().resolve("seal.key"));
            } catch (IOException e) {
                throw new IsolaException("cannot open Isola's seal key: " + e.getMessage());
            }
            this.engines = new Engines(options.paths(), audit, options.env(), options.poolSize(), log);
            this.service = new Service(options.paths(), audit, engines, policies, seal);
            int handed = Systemd.listeningSocket(options.env());
            this.ownSocketFile = handed < 0;
            this.listening = handed >= 0 ? handed : bind(options.socket());
        } catch (RuntimeException e) {
            audit.close();
            throw e;
        }
    }

    /** Starts serving; returns once the socket accepts (and systemd, if it asked, was told so). */
    public static Daemon start(Options options, Consumer<String> log) {
        Daemon d = new Daemon(options, log);
        // the root user's sandbox engine is the one most requests use on a single-user machine: warm it now
        try {
            d.engines.forUser(User.of(0, 0, 0), "sandbox");
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        // and the type detector every open needs, in idle time
        io.isola.task.TypeDetector.warmUp();
        d.acceptor = Thread.ofPlatform().name("isola-accept").start(d::acceptLoop);
        Systemd.notify(options.env(), "READY=1");
        log.accept("serving on " + (d.ownSocketFile ? options.socket() : "the socket systemd passed"));
        return d;
    }

    /** Blocks until {@link #close} ends the accept loop. */
    public void awaitStop() throws InterruptedException {
        acceptor.join();
    }

    private static int bind(String path) {
        Path p = Path.of(path);
        try {
            Files.createDirectories(p.getParent());
            if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                int probe = UnixSockets.connect(path);
                if (probe >= 0) {
                    Libc.close(probe);
                    throw new IsolaException(
                            "an Isola service already listens at " + path + ": stop it first, or "
                                    + "give another socket with --socket",
                            2);
                }
                Files.delete(p); // left by a daemon that died: nothing answers there
            }
            int fd = UnixSockets.listen(path, 512);
            // Anyone may connect: who asks is the kernel's answer (SO_PEERCRED), and each request is theirs alone.
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-rw-"));
            return fd;
        } catch (IOException | LinuxException e) {
            throw new IsolaException("cannot listen at " + path + ": " + e.getMessage());
        }
    }

    private void acceptLoop() {
        while (!stopping) {
            int conn;
            try {
                conn = UnixSockets.accept(listening);
            } catch (LinuxException e) {
                if (stopping) {
                    return;
                }
                log.accept("accept: " + e.getMessage()); // EMFILE and the like: wait a little, keep serving
                sleep();
                continue;
            }
            admit(conn);
        }
    }

    private void admit(int conn) {
        UnixSockets.Peer peer;
        try {
            peer = UnixSockets.peer(conn);
        } catch (LinuxException e) {
            Libc.close(conn);
            return;
        }
        AtomicInteger mine = perUser.computeIfAbsent(peer.uid(), u -> new AtomicInteger());
        String refusal = null;
        if (mine.incrementAndGet() > options.maxPerUser()) {
            refusal = "you have " + options.maxPerUser() + " requests running, the most this service allows per user"
                    + ": wait for one to end (isola ps lists them)";
        } else if (total.incrementAndGet() > options.maxTotal()) {
            total.decrementAndGet();
            refusal = "the Isola service is at its limit of " + options.maxTotal() + " requests: try again shortly";
        }
        if (refusal != null) {
            mine.decrementAndGet();
            refuse(conn, refusal);
            return;
        }
        try {
            connections.execute(() -> {
                try {
                    new Connection(conn, peer, service, log).serve();
                } finally {
                    mine.decrementAndGet();
                    total.decrementAndGet();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            mine.decrementAndGet();
            total.decrementAndGet();
            refuse(conn, "the Isola service is stopping: try again in a moment");
        }
    }

    /** One reply and the door: the small frame fits in the socket's buffer, so this never waits for the client. */
    private static void refuse(int conn, String why) {
        try {
            Wire.send(conn, new Message().add(Protocol.EXIT, 125).add(Protocol.ERROR, why));
        } catch (RuntimeException e) {
            // gone already
        } finally {
            Libc.close(conn);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops accepting, kills every cell (their clients get exit 125 and a line saying why), removes the socket. */
    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        Systemd.notify(options.env(), "STOPPING=1");
        Sockets.shutdown(listening);
        Libc.close(listening);
        if (ownSocketFile) {
            try {
                Files.deleteIfExists(Path.of(options.socket()));
            } catch (IOException e) {
                log.accept("cannot remove " + options.socket() + ": " + e.getMessage());
            }
        }
        connections.shutdown();
        service.stopping = true;
        try {
            engines.close();
            // the requests whose cells just died send their replies and record their last events
            connections.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            audit.close();
        }
    }
}
