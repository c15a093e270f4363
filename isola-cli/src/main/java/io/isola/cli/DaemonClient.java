package io.isola.cli;

import io.isola.cli.args.Option;
import io.isola.core.Limits;
import io.isola.service.Message;
import io.isola.service.Protocol;
import io.isola.service.ServiceClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The commands' way to the daemon: when its socket answers, the request goes there with the caller's standard
 * streams and the command prints what the in-process run would have; when nothing answers, each method returns
 * null and the command runs in process. Only the protocol's few classes load here: no policy, no Tika, no engine.
 */
final class DaemonClient {
    static final Option NO_DAEMON =
            Option.flag("--no-daemon", "run in this process even when the Isola service " + "answers");

    private DaemonClient() {}

    static Integer run(
            String image,
            String engine,
            List<Path> readOnly,
            List<Path> readWrite,
            Map<String, String> env,
            Path workdir,
            Limits limits,
            List<String> command) {
        ServiceClient client = ServiceClient.connect(System.getenv());
        if (client == null) {
            return null;
        }
        Message m =
                ServiceClient.request(Protocol.RUN).add(Protocol.ENGINE, engine).add(Protocol.IMAGE, image);
        readOnly.forEach(p -> m.add(Protocol.RO, p.toString()));
        readWrite.forEach(p -> m.add(Protocol.RW, p.toString()));
        env.forEach((k, v) -> m.add(Protocol.ENV, k + "=" + v));
        if (workdir != null) {
            m.add(Protocol.WORKDIR, workdir.toString());
        }
        m.add(Protocol.MEMORY, limits.memoryBytes())
                .add(Protocol.PIDS, limits.maxPids())
                .add(Protocol.CPUS, Double.toString(limits.cpus()))
                .add(Protocol.DISK, limits.diskBytes());
        if (limits.cpuTime() != null) {
            m.add(Protocol.CPU_TIME_MS, limits.cpuTime().toMillis());
        }
        if (limits.timeout() != null) {
            m.add(Protocol.TIMEOUT_MS, limits.timeout().toMillis());
        }
        command.forEach(a -> m.add(Protocol.ARG, a));
        Message reply = call(client, m);
        if (reply.get(Protocol.SAID) != null && !Main.shuttingDown) {
            System.err.println(reply.get(Protocol.SAID));
        }
        return exit(reply);
    }

    /**
     * @param window {@link Protocol#WINDOW_REQUIRED}, {@link Protocol#WINDOW_IF_GRAPHICAL} or null: the service runs
     *     the cell, this process draws its window (the service never connects to a display)
     */
    static Integer open(String target, boolean view, String window) {
        ServiceClient client = ServiceClient.connect(System.getenv());
        if (client == null) {
            return null;
        }
        Message m = ServiceClient.request(Protocol.OPEN)
                .add(Protocol.TARGET, absolute(target))
                .add(Protocol.VIEW, Boolean.toString(view));
        if (window != null) {
            try { // the service makes the cell's screen of this desktop's size
                io.isola.desktop.ServiceWindows.describeDesktop(m);
                io.isola.core.Trace.mark("desktop described");
                m.add(Protocol.WINDOW, window);
            } catch (io.isola.core.IsolaException e) {
                if (window.equals(Protocol.WINDOW_REQUIRED)) {
                    throw e;
                }
                Main.debug(e.getMessage() + ": the level's handler runs without a window");
                window = null; // a DISPLAY that does not answer: the level's handler, without a window
            }
        }
        if (window == null) {
            return exit(call(client, m, null));
        }
        try (var windows = new io.isola.desktop.ServiceWindows(client, System.err)) {
            return exit(call(client, m, windows));
        }
    }

    static Integer trust(String target, boolean json) {
        ServiceClient client = ServiceClient.connect(System.getenv());
        if (client == null) {
            return null;
        }
        // absolute but not normalized: the verdict names the path as the in-process command does
        String named = io.isola.task.LinkTask.isLink(target)
                ? target
                : Path.of(target).toAbsolutePath().toString();
        return exit(call(
                client,
                ServiceClient.request(Protocol.TRUST)
                        .add(Protocol.TARGET, named)
                        .add(Protocol.JSON, Boolean.toString(json))));
    }

    /** ps and kill exist only in the daemon: without one, they say so. */
    static int cells(Message request) {
        ServiceClient client = ServiceClient.connect(System.getenv());
        if (client == null) {
            throw new io.isola.core.IsolaException(
                    "no Isola service answers (isola daemon starts one); only its cells "
                            + "are listed and stopped this way: a cell of `isola run --no-daemon` stops with its command",
                    1);
        }
        Message reply = call(client, request);
        if (reply.get("out") != null) {
            System.out.print(reply.get("out"));
        }
        return exit(reply);
    }

    /** For {@code policy show}: the policy the daemon judges by and any change it refused; nothing without one. */
    static void policyStatus() {
        ServiceClient client = ServiceClient.connect(System.getenv());
        if (client != null) {
            Message reply = call(client, ServiceClient.request(Protocol.POLICY));
            if (reply.get("out") != null) {
                System.out.print(reply.get("out"));
            }
        }
    }

    /** A URL as it is; a path made absolute against this directory, which the daemon does not share. */
    private static String absolute(String target) {
        return io.isola.task.LinkTask.isLink(target)
                ? target
                : Path.of(target).toAbsolutePath().normalize().toString();
    }

    /**
     * Sends the request and waits. Ctrl-C or SIGTERM meanwhile: the hook asks the daemon to kill the request's cells
     * and waits for its answer, and the JVM then exits with 128+signal, as in process.
     */
    private static Message call(ServiceClient client, Message request) {
        return call(client, request, null);
    }

    private static Message call(ServiceClient client, Message request, ServiceClient.Interim interim) {
        Thread hook = new Thread(
                () -> {
                    Main.shuttingDown = true;
                    client.interrupt();
                },
                "isola-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            io.isola.core.Trace.mark("connected to the daemon");
            Message reply = client.call(request, 0, 1, 2, interim);
            io.isola.core.Trace.mark("daemon replied");
            if (reply.get(Protocol.ERROR) != null) {
                System.err.println("isola: " + reply.get(Protocol.ERROR));
            }
            return reply;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shutdownUnderWay) {
                // a signal arrived: the hook is stopping the cells and the JVM exits with 128+signal
            }
            client.close();
        }
    }

    private static int exit(Message reply) {
        return ServiceClient.exitCode(reply, System.err);
    }
}
