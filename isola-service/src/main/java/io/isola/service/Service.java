package io.isola.service;

import io.isola.core.Cell;
import io.isola.core.CellExit;
import io.isola.core.CellSpec;
import io.isola.core.Host;
import io.isola.core.IsolaException;
import io.isola.core.StatePaths;
import io.isola.core.audit.AuditLog;
import io.isola.core.output.Persister;
import io.isola.core.policy.Policy;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.trust.Seal;
import io.isola.net.ProxyOnDemand;
import io.isola.task.CallerFiles;
import io.isola.task.CellNetworks;
import io.isola.task.LinkTask;
import io.isola.task.OpenTask;
import io.isola.task.ProxyNetworks;
import io.isola.task.TaskContext;
import io.isola.task.TaskDirs;
import io.isola.task.ViewTask;
import java.nio.file.Path;
import java.util.Map;

/** What each verb does for a request: the same tasks and engines as the command line, for the peer's user. */
final class Service {
    final StatePaths paths;
    final AuditLog audit;
    final Engines engines;
    final CellTable table = new CellTable();
    final PolicySource policies;
    final Seal seal;
    final TaskDirs dirs;
    /** Set when the daemon stops: the cells it kills then are reported as that, not as the task's own end. */
    volatile boolean stopping;

    Service(StatePaths paths, AuditLog audit, Engines engines, PolicySource policies, Seal seal) {
        this.paths = paths;
        this.audit = audit;
        this.engines = engines;
        this.policies = policies;
        this.seal = seal;
        this.dirs = new TaskDirs(paths.root().resolve("tasks"));
        dirs.sweep();
    }

    Message handle(Request r) throws Exception {
        String verb = r.message.get(Protocol.VERB);
        return switch (verb == null ? "" : verb) {
            case Protocol.RUN -> run(r);
            case Protocol.OPEN -> open(r);
            case Protocol.TRUST -> TrustRequest.explain(r, policies, seal, paths.root());
            case Protocol.PS -> Listing.ps(r, table);
            case Protocol.KILL -> Listing.kill(r, table);
            case Protocol.POLICY -> new Message().add(Protocol.EXIT, 0).add("out", policies.status());
            case Protocol.PREPARE_WINDOW -> prepareWindow(r);
            default ->
                throw RunRequest.refused("unknown verb '" + verb
                        + "': the verbs are run, open, trust, ps, kill, policy, prepare-window");
        };
    }

    private Message run(Request r) throws InterruptedException {
        CellSpec spec = RunRequest.spec(r.message, r.user, paths.root());
        r.mark("checked");
        Cell cell = engines.forUser(r.user, spec.engine()).start(spec, r.stdio());
        r.mark("started");
        // the request closes its cells once the reply is sent: the client's wait ends when the task does
        r.track(cell, spec.engine(), spec.command());
        CellExit exit = cell.waitFor();
        r.mark("exited");
        if (stopping) {
            throw stopped();
        }
        Message reply = new Message()
                .add(Protocol.EXIT, exit.exitCode())
                .add(Protocol.CELL, cell.id())
                .add(Protocol.REASON, exit.reason().name())
                .add(Protocol.DETAIL, exit.detail() == null ? "" : exit.detail());
        // the line the command prints in process when a limit or a kill ended the cell, so that every client prints
        // the same words without knowing them
        String said = exit.explain(cell.id(), spec.limits());
        return said == null ? reply : reply.add(Protocol.SAID, said);
    }

    /** The person's first window of a session starts on a running X server too, as every later one does. */
    private Message prepareWindow(Request r) {
        engines.displaysFor(r.user).prepare(new ClientWindow(r).size());
        return new Message().add(Protocol.EXIT, 0);
    }

    private Message open(Request r) throws InterruptedException {
        String target = r.message.get(Protocol.TARGET);
        if (target == null || target.isEmpty()) {
            throw RunRequest.refused("open needs a target");
        }
        Policy policy = policies.forHome(r.user.home());
        // Each level's cells get its network through a proxy of this request's own, started only when a cell
        // first reaches out (a link's fetch), judging by the policy in force for this request.
        try (ProxyNetworks networks = new ProxyNetworks(ProxyOnDemand.onThisHost(policy.network(), audit::record))) {
            TaskContext ctx = context(r, policy, networks);
            if (r.message.get(Protocol.WINDOW) != null) {
                ctx = ctx.withWindows(new ClientWindow(r));
            }
            return open(r, target, ctx);
        }
    }

    private Message open(Request r, String target, TaskContext ctx) throws InterruptedException {
        boolean view = "true".equals(r.message.get(Protocol.VIEW));
        OpenTask.Window window = window(r.message.get(Protocol.WINDOW));
        if (window == OpenTask.Window.REQUIRED && view) {
            throw RunRequest.refused(
                    "a window shows the file in its cell's program; a safe view makes a copy: ask for one of them");
        }
        int code;
        if (LinkTask.isLink(target)) {
            code = new LinkTask(ctx).run(target, r.stdio(), window);
        } else {
            Path file = Path.of(target);
            if (!file.isAbsolute() || !file.normalize().toString().equals(target)) {
                throw RunRequest.refused("the path '" + target + "' is not absolute and normal");
            }
            code = view ? new ViewTask(ctx).run(file, r.stdio()) : new OpenTask(ctx).run(file, r.stdio(), window);
        }
        if (stopping) {
            throw stopped();
        }
        return new Message().add(Protocol.EXIT, code);
    }

    private static OpenTask.Window window(String asked) {
        if (asked == null) {
            return OpenTask.Window.NONE;
        }
        return switch (asked) {
            case Protocol.WINDOW_REQUIRED -> OpenTask.Window.REQUIRED;
            case Protocol.WINDOW_IF_GRAPHICAL -> OpenTask.Window.IF_GRAPHICAL;
            default ->
                throw RunRequest.refused("window is " + Protocol.WINDOW_REQUIRED + " or " + Protocol.WINDOW_IF_GRAPHICAL
                        + ", not '" + asked + "'");
        };
    }

    private static IsolaException stopped() {
        return new IsolaException(
                "the Isola service stopped, and its cells with it: start it again, or use " + "--no-daemon");
    }

    /** A task context for this caller: their policy (rules may name their home), rights, persistence and streams. */
    private TaskContext context(Request r, Policy policy, CellNetworks networks) {
        Map<String, String> env = r.user.callerEnv();
        Path q = paths.root().resolve("quarantine");
        Persister persister = new Persister(q, q, seal, Host.invokingIds(env), CallerFiles.creator(env));
        return new TaskContext(
                policy,
                new TrustClassifier(policy, seal),
                seal,
                name -> r.tracked(engines.forUser(r.user, name)),
                persister,
                audit,
                dirs,
                env,
                r.err,
                networks,
                io.isola.task.WindowPlace.IN_THIS_PROCESS,
                engines.displaysFor(r.user));
    }
}
