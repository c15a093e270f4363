package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.Host;
import io.isola.service.Daemon;
import io.isola.service.ServicePaths;
import java.nio.file.Path;
import java.util.List;

/** {@code isola daemon}: Isola as an always-on service that the other commands hand their tasks to. */
final class DaemonCommand implements Command {
    private static final Option SOCKET = Option.value(
            "--socket",
            "PATH",
            "where to listen (default: " + ServicePaths.SYSTEM
                    + " as root, $XDG_RUNTIME_DIR/isola.sock otherwise, or ISOLA_SOCKET)");
    private static final Option STATE = Option.value("--state-dir", "DIR", "state directory (or ISOLA_STATE_DIR)");
    private static final Option POLICY = Option.value("--policy", "FILE", "policy file (default: as for open)");
    private static final Option PER_USER =
            Option.value("--max-per-user", "N", "requests one user may have running at once (default 16)");
    private static final Option TOTAL = Option.value("--max-total", "N", "requests at once in all (default 256)");
    private static final Option POOL =
            Option.value("--pool", "N", "prepared sandbox cells kept per user (default 2, or ISOLA_POOL_SIZE)");

    private String socket;
    private Path stateDir;
    private Path policy;
    private int perUser = 16;
    private int total = 256;
    private Integer pool;

    @Override
    public String name() {
        return "daemon";
    }

    @Override
    public String summary() {
        return "serve the other commands from one always-on process";
    }

    @Override
    public List<String> description() {
        return List.of(
                "Runs Isola as a service: the policy and the type database are loaded once, prepared cells wait",
                "in warm pools, and `isola run`, `open` and `trust explain` hand their tasks to it over a Unix",
                "socket (with --no-daemon they run in process). Each request is the connecting user's, as the",
                "kernel names them; `isola ps` and `isola kill` list and stop that user's cells. SIGTERM stops",
                "every cell and the service. Takes a socket from systemd (isola.socket) and reports readiness.",
                "Units and limits: docs/service.md.");
    }

    @Override
    public List<Option> options() {
        return List.of(SOCKET, STATE, POLICY, PER_USER, TOTAL, POOL);
    }

    @Override
    public String operands() {
        return "";
    }

    @Override
    public void set(Option o, String v) throws UsageException {
        switch (o.name()) {
            case "--socket" -> socket = v;
            case "--state-dir" -> stateDir = Path.of(v);
            case "--policy" -> policy = Path.of(v);
            case "--max-per-user" -> perUser = Sizes.atLeast(o.name(), Sizes.count(o.name(), v), DaemonCommand::one);
            case "--max-total" -> total = Sizes.atLeast(o.name(), Sizes.count(o.name(), v), DaemonCommand::one);
            case "--pool" -> pool = Sizes.count(o.name(), v);
            default -> throw new IllegalStateException("unhandled option " + o.name());
        }
    }

    private static int one(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("must be at least 1");
        }
        return n;
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (!operands.isEmpty()) {
            throw new UsageException("daemon takes no operands");
        }
    }

    @Override
    public int call() throws InterruptedException {
        var env = System.getenv();
        String at = socket != null ? socket : ServicePaths.listenAt(env, Host.isRoot());
        int poolSize = pool != null ? pool : Integer.parseInt(env.getOrDefault("ISOLA_POOL_SIZE", "2"));
        Daemon daemon = Daemon.start(
                new Daemon.Options(Session.paths(stateDir), at, Policies.locate(policy), perUser, total, poolSize, env),
                line -> System.err.println("isola daemon: " + line));
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            Main.shuttingDown = true;
                            daemon.close();
                        },
                        "isola-shutdown"));
        daemon.awaitStop();
        return 0;
    }
}
