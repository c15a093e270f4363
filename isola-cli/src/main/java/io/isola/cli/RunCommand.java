package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.Cell;
import io.isola.core.CellEnvironment;
import io.isola.core.CellExit;
import io.isola.core.CellSpec;
import io.isola.core.EngineNames;
import io.isola.core.Host;
import io.isola.core.HostSecrets;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.Stdio;
import io.isola.core.Trace;
import io.isola.core.ViewEntry;
import io.isola.core.policy.NetworkAccess;
import io.isola.core.policy.Policy;
import io.isola.net.ProxyOnDemand;
import io.isola.task.ProxyNetworks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code isola run}: a command in a new disposable cell. */
final class RunCommand implements Command {
    private static final Option IMAGE = Option.value("--image", "NAME", "golden image (default: host)");
    private static final Option ENGINE = Option.value("--engine", "NAME", "how the cell is made (default: sandbox)");
    private static final Option RO = Option.value("--ro", "PATH", "show a host path read-only, at the same path");
    private static final Option RW = Option.value("--rw", "PATH", "show a host path writable (never a secret place)");
    private static final Option ENV = Option.value("--env", "NAME[=VALUE]", "pass NAME from the caller, or set it");
    private static final Option WORKDIR = Option.value(
            "-C",
            "--workdir",
            "DIR",
            "working directory in the cell "
                    + "(default: yours, when --ro/--rw share it or a path in it; else /home/user)");
    private static final Option MEMORY = Option.value("--memory", "SIZE", "RAM limit (default 512M, at least 4M)");
    private static final Option PIDS =
            Option.value("--pids", "N", "process and thread limit (default 256, at least 8)");
    private static final Option CPUS =
            Option.value("--cpus", "X", "CPU share, 1.0 = one core, 0 = no cap, at most the CPUs here (default 1.0)");
    private static final Option CPU_TIME = Option.value("--cpu-time", "TIME", "CPU time budget, e.g. 30s");
    private static final Option TIMEOUT = Option.value("--timeout", "TIME", "wall-clock limit, e.g. 90s, 2m or 1h30m");
    private static final Option DISK =
            Option.value("--disk", "SIZE", "size of the private writable layer (default 256M, at least 1M)");
    private static final Option NET = Option.value(
            "--net",
            "LEVEL",
            "network: none (default), internet or trusted, "
                    + "through the host's proxy by the policy's [network] rules");
    private static final Option POLICY =
            Option.value("--policy", "FILE", "policy whose [network] rules --net " + "applies (default: as for open)");
    private static final Option STATE = Option.value("--state-dir", "DIR", "state directory (or ISOLA_STATE_DIR)");
    private static final Option WINDOW = Option.flag(
            "--window",
            "show CMD's windows in an Isola window on your display (its own X server in the cell, in either engine);"
                    + " closing the window ends the cell");
    private static final List<Option> OPTIONS = List.of(
            IMAGE,
            ENGINE,
            RO,
            RW,
            ENV,
            WORKDIR,
            NET,
            MEMORY,
            PIDS,
            CPUS,
            CPU_TIME,
            TIMEOUT,
            DISK,
            POLICY,
            STATE,
            WINDOW,
            DaemonClient.NO_DAEMON);

    private String image = "host";
    private String engine = EngineNames.SANDBOX;
    private final List<Path> readOnly = new ArrayList<>();
    private final List<Path> readWrite = new ArrayList<>();
    private final List<String> env = new ArrayList<>();
    private Path workdir;
    private Path stateDir;
    private Path policy;
    private NetworkAccess net = NetworkAccess.NONE;
    private Limits limits = Limits.DEFAULT;
    private List<String> command = List.of();
    private boolean noDaemon;
    private boolean window;

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "run a command in a new disposable cell";
    }

    @Override
    public List<String> description() {
        return List.of(
                "Runs CMD in a new disposable cell and removes the cell when CMD ends. The cell sees a",
                "copy-on-write view of the image, the paths given with --ro/--rw, loopback only, and none of the",
                "caller's environment; with --net, a proxy on its loopback that reaches what the policy lets that level",
                "reach (http_proxy and https_proxy point at it). Its exit code is CMD's. It starts in your current directory when --ro or",
                "--rw share it or a path in it (relative paths then mean what they mean to you), else in /home/user.",
                "",
                "Examples:  isola run --ro ./report.pdf -- pdftotext report.pdf -",
                "           isola run --rw ./out --timeout 30s --memory 256M -- make -C ./out",
                "           isola run --net internet -- curl -sI https://example.com/",
                "           isola run --window -- xedit");
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public String operands() {
        return "[--] CMD [ARG...]";
    }

    /** {@code isola run CMD --flag}: the flag is CMD's. */
    @Override
    public boolean optionsEndAtFirstOperand() {
        return true;
    }

    @Override
    public void set(Option o, String v) throws UsageException {
        String n = o.name();
        switch (n) {
            case "--image" -> image = v;
            case "--engine" -> engine = v;
            case "--ro" -> readOnly.add(path(v));
            case "--rw" -> readWrite.add(path(v));
            case "--env" -> env.add(v);
            case "--workdir" -> workdir = Path.of(v);
            case "--memory" -> limits = limits.withMemory(Sizes.atLeast(n, Sizes.bytes(n, v), Limits::requireMemory));
            case "--pids" -> limits = limits.withPids(Sizes.atLeast(n, Sizes.count(n, v), Limits::requirePids));
            case "--cpus" -> limits = limits.withCpus(cpus(n, v));
            case "--cpu-time" -> limits = limits.withCpuTime(Sizes.duration(n, v));
            case "--timeout" -> limits = limits.withTimeout(Sizes.duration(n, v));
            case "--disk" -> limits = limits.withDisk(Sizes.atLeast(n, Sizes.bytes(n, v), Limits::requireDisk));
            case "--net" -> net = network(v);
            case "--policy" -> policy = Path.of(v);
            case "--state-dir" -> stateDir = Path.of(v);
            case "--no-daemon" -> noDaemon = true;
            case "--window" -> window = true;
            default -> throw new IllegalStateException("unhandled option " + n);
        }
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (operands.isEmpty()) {
            throw new UsageException("no command given: put it after --, e.g. isola run -- /bin/echo hello");
        }
        command = operands;
    }

    @Override
    public int call() throws InterruptedException {
        // the service does not carry --net or --policy: those run here
        // a window is drawn by the caller's own process, in the caller's session: the service never shows one
        boolean here = window || noDaemon || stateDir != null || policy != null || net != NetworkAccess.NONE;
        Integer viaDaemon = here
                ? null
                : DaemonClient.run(
                        image,
                        engine,
                        readOnly,
                        readWrite,
                        CellEnvironment.build(System.getenv(), env),
                        workdir,
                        limits,
                        command);
        if (viaDaemon != null) {
            return viaDaemon;
        }
        List<ViewEntry> view = new ArrayList<>();
        for (Path p : readOnly) {
            view.add(new ViewEntry(p, p, ViewEntry.Access.READ_ONLY));
        }
        // With --net, the policy's [network] rules are read on a thread of their own while the engine starts.
        java.util.concurrent.CompletableFuture<Policy> rules = net == NetworkAccess.NONE
                ? null
                : java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> Policies.load(policy),
                        r -> Thread.ofPlatform().daemon().name("isola-policy").start(r));
        try (Session session = Session.open(stateDir, engine, window ? 2 : 1)) {
            // The proxy's classes load only here: a cell without --net costs its start nothing.
            ProxyNetworks proxy = rules == null
                    ? null
                    : new ProxyNetworks(ProxyOnDemand.onThisHost(policyOf(rules).network(), session.audit::record));
            try {
                return run(session, view, proxy == null ? Network.NONE : proxy.forAccess(net));
            } finally {
                if (proxy != null) {
                    proxy.close();
                }
            }
        }
    }

    private int run(Session session, List<ViewEntry> view, Network network) throws InterruptedException {
        for (Path p : readWrite) {
            HostSecrets.checkWritable(p, session.paths.root());
            view.add(new ViewEntry(p, p, ViewEntry.Access.READ_WRITE));
        }
        CellSpec spec = new CellSpec(
                engine,
                image,
                command,
                CellEnvironment.build(System.getenv(), env),
                view,
                workdir != null ? workdir : startIn(Path.of("").toAbsolutePath(), view),
                network,
                limits);
        Trace.mark("engine ready");
        if (window) {
            try (var signals = new ClosingOnSignal(session::close)) {
                return io.isola.task.WindowRun.runProgram(
                        session.engine, spec, session.paths.root(), session.audit, System.err);
            } catch (java.io.IOException e) {
                throw new io.isola.core.IsolaException("cannot prepare the window's run: " + e.getMessage(), e);
            }
        }
        try (var signals = new ClosingOnSignal(session::close);
                Cell cell = session.engine.start(spec, Stdio.INHERIT)) {
            Trace.mark("cell started");
            CellExit exit = cell.waitFor();
            Trace.mark("cell exited");
            String why = exit.explain(cell.id(), limits);
            if (why != null) {
                System.err.println(why);
            }
            return exit.exitCode();
        } finally {
            Trace.mark("cell closed");
        }
    }

    /** A share above the CPUs here would pass silently as "no cap": refuse it and say the maximum. */
    private static double cpus(String option, String v) throws UsageException {
        double share = Sizes.decimal(option, v);
        int here = Host.cpus();
        if (share > here) {
            throw new UsageException(option + " " + v + " is more than the " + here + " CPU(s) here: use at most "
                    + here + ", or 0 for no cap");
        }
        return share;
    }

    /**
     * Where the task starts when -C is not given: the caller's own directory when it exists in the cell, so that
     * relative paths mean there what they mean in the caller's shell ({@code --ro ./report.pdf -- pdftotext
     * report.pdf -}). It exists there when a shared path is it, lies under it, or holds it (a directory on the way
     * to a shared path, which shows only what was shared). Else the cell's empty home, as a cell that was given
     * nothing of the caller's has nowhere of theirs to be.
     */
    static Path startIn(Path cwd, List<ViewEntry> view) {
        for (ViewEntry v : view) {
            if (v.cellPath().startsWith(cwd) || cwd.startsWith(v.cellPath())) {
                return cwd;
            }
        }
        return null;
    }

    private static Policy policyOf(java.util.concurrent.CompletableFuture<Policy> reading) {
        try {
            return reading.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static NetworkAccess network(String v) throws UsageException {
        NetworkAccess a = NetworkAccess.parse(v);
        if (a == null) {
            throw new UsageException("--net " + v + " is not a network level: use none, internet or trusted");
        }
        return a;
    }

    private static Path path(String v) {
        return Path.of(v).toAbsolutePath().normalize();
    }
}
