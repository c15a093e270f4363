package io.isola.task;

import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Harvest;
import io.isola.core.IsolaException;
import io.isola.core.Network;
import io.isola.core.Stdio;
import io.isola.core.TaskFiles;
import io.isola.core.TerminalText;
import io.isola.core.audit.AuditEvent;
import io.isola.core.output.Harvester;
import io.isola.core.output.Provenance;
import io.isola.core.policy.LevelSettings;
import io.isola.core.policy.NetworkAccess;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.policy.TrustClassifier.Verdict;
import io.isola.core.trust.TrustLevel;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code isola open URL}: the link is fetched inside a cell, never by Isola itself, by the handler the policy names
 * for its scheme ({@code x-scheme-handler/https}, as freedesktop names URL handlers). Whatever comes out is tainted
 * with the link as {@code user.xdg.origin.url}. The fetching cell is on the network of the link's trust level (the
 * host's egress proxy decides every connection it makes); what it fetched is then opened, or viewed, in a new cell of
 * that level like any file from that origin. A refusal names the proxy's rule.
 */
public final class LinkTask {
    private final TaskContext ctx;

    public LinkTask(TaskContext ctx) {
        this.ctx = ctx;
    }

    /** Whether a command-line target is a link rather than a file. */
    public static boolean isLink(String target) {
        return target.matches("(?i)[a-z][a-z0-9+.-]*://.*");
    }

    /**
     * The local file a {@code file:} URL names ({@code file:///home/me/a%20b.pdf}, {@code file://localhost/…},
     * {@code file:/…}), percent-escapes decoded, as a browser or file manager copies it; null for any other target.
     * A file on another host, or a URL with a query or fragment (which no file has), is refused in one line.
     */
    public static Path localFile(String target) {
        if (!target.regionMatches(true, 0, "file:", 0, 5)) {
            return null;
        }
        String shown = TerminalText.printable(target);
        URI u;
        try {
            u = new URI(target);
        } catch (java.net.URISyntaxException e) {
            throw new IsolaException(
                    "'" + shown + "' is not a valid file URL (" + e.getReason() + "): write "
                            + "special characters as %XX, e.g. a space as %20, or give the file's path instead",
                    2);
        }
        String host = u.getHost() != null ? u.getHost() : u.getRawAuthority();
        if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
            throw new IsolaException(
                    "'" + shown + "' names a file on another host (" + TerminalText.printable(host)
                            + "): Isola opens local files only; copy it to this machine first",
                    2);
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IsolaException(
                    "'" + shown + "' has a query or fragment (?… or #…), which no file has: in a "
                            + "file name write ? as %3F and # as %23",
                    2);
        }
        String path = u.getPath();
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new IsolaException(
                    "'" + shown + "' does not name a file by its full path: write it as " + "file:///full/path", 2);
        }
        return Path.of(path);
    }

    /**
     * {@code isola open URL}: fetches the link in a cell of its level, on that level's network, then opens what it
     * fetched with the level's handler for its type, in a new cell.
     */
    public int run(String target, Stdio stdio) throws InterruptedException {
        return run(target, stdio, OpenTask.Window.NONE);
    }

    /**
     * The same, showing what was fetched in a window where the level's handler for its type is a graphical program
     * ({@link OpenTask.Window#IF_GRAPHICAL}: a link clicked on the desktop).
     */
    public int run(String target, Stdio stdio, OpenTask.Window window) throws InterruptedException {
        if (window == OpenTask.Window.REQUIRED
                || window == OpenTask.Window.IF_GRAPHICAL
                        && browses(target)
                        && ctx.windows().available()) {
            return window(target, stdio); // the link itself, in the level's browser
        }
        return fetchThen(target, stdio, (it, dir) -> new OpenTask(ctx).open(it, dir, stdio, false, window));
    }

    /** Whether the link's level names a browser for its scheme (its {@code window-handlers}). */
    private boolean browses(String target) {
        URI url = httpLink(target);
        return ctx.policy()
                        .level(ctx.classifier().link(url).level())
                        .windowHandlerFor("x-scheme-handler/" + url.getScheme().toLowerCase(java.util.Locale.ROOT))
                != null;
    }

    /**
     * {@code isola open --window URL}: the level's window handler for the link's scheme (a browser) shows it in a
     * window, in a cell of the link's level on that level's network, the same network a fetch gets; closing the
     * window ends the task, and what the browser left in {@code {output}} goes through the level's persistence rule,
     * tainted with the link.
     */
    public int window(String target, Stdio stdio) throws InterruptedException {
        ctx.windows().check();
        Judged link = judge(target);
        List<String> handler = link.level().windowHandlerFor(link.type());
        if (handler == null) {
            String word = link.verdict().level().word();
            throw new IsolaException(
                    "no window handler for " + link.type() + " at level " + word + ": name a browser in the policy's"
                            + " [level." + word + ".window-handlers] (e.g. \"" + link.type()
                            + "\" = [\"dillo\", \"{url}\"]), or open the link without --window to fetch it",
                    2);
        }
        CellSpec spec = announce(link, handler);
        return Tasks.inTaskDir(ctx, link.taskId(), "the task failed", dir -> {
            CellRun run = WindowRun.forTask(
                    ctx,
                    link.level(),
                    link.verdict().level(),
                    spec,
                    handler.get(0) + ": " + link.url().getHost(),
                    stdio,
                    dir.resolve("out"));
            Tasks.persist(ctx, run.harvest(), link.level().persistence(), link.provenance(run.cellId()));
            return run.exit().exitCode();
        });
    }

    /**
     * A link as the policy judged it, under a new task's id: its level and that level's settings, the scheme's
     * handler type ({@code x-scheme-handler/https}) and the file name a fetch writes.
     */
    private record Judged(URI url, String taskId, Verdict verdict, LevelSettings level, String type, String name) {
        /** What the link's cell left is tainted with the link. */
        Provenance provenance(String cellId) {
            return new Provenance(
                    taskId,
                    cellId,
                    verdict.level(),
                    url.toASCIIString(),
                    url.toASCIIString(),
                    null,
                    null,
                    Instant.now());
        }
    }

    private Judged judge(String target) {
        URI url = httpLink(target);
        Verdict verdict = ctx.classifier().link(url);
        return new Judged(
                url,
                Tasks.newId(),
                verdict,
                ctx.policy().level(verdict.level()),
                "x-scheme-handler/" + url.getScheme().toLowerCase(java.util.Locale.ROOT),
                fileName(url));
    }

    /**
     * Tells the user and the audit log how the link was judged, and returns the cell that runs {@code handler} on it:
     * the level's image and limits, its network, nothing of the host's files, an empty /out.
     */
    private CellSpec announce(Judged link, List<String> handler) {
        URI url = link.url();
        Verdict verdict = link.verdict();
        List<String> argv =
                Tasks.argv(handler, Map.of("url", url.toASCIIString(), "name", link.name(), "output", Intake.OUT));
        Tasks.say(ctx, "isola: " + url.getHost() + " is " + verdict.level().word() + ": " + verdict.reason());
        ctx.audit()
                .record(AuditEvent.of(
                        "task.classified",
                        null,
                        "task",
                        link.taskId(),
                        "target",
                        url.toASCIIString(),
                        "type",
                        link.type(),
                        "trust",
                        verdict.level().word(),
                        "reason",
                        verdict.reason()));
        LevelSettings level = link.level();
        return new CellSpec(
                level.engine(),
                level.image(),
                argv,
                CellEnvironment.build(ctx.callerEnv(), List.of()),
                List.of(),
                Path.of(Intake.OUT),
                ctx.network(verdict.level()),
                level.limits(),
                new TaskFiles(List.of(), Intake.OUT));
    }

    /** {@code target} as an http or https link, or a one-line refusal. */
    private static URI httpLink(String target) {
        URI url = TrustClassifier.uri(target);
        String scheme = url == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (url == null || !scheme.equals("http") && !scheme.equals("https")) {
            throw new IsolaException(
                    "'" + TerminalText.printable(target) + "' is not an http or https link Isola can "
                            + "open: give a full URL such as https://example.com/file.pdf",
                    2);
        }
        return url;
    }

    /** {@code isola open --view URL}: fetches the link as {@link #run} does, then makes its safe view. */
    public int view(String target, ViewTask.Options options, Stdio stdio) throws InterruptedException {
        return fetchThen(target, stdio, (it, dir) -> new ViewTask(ctx).view(it, dir, options, stdio));
    }

    /** What is done with a fetched file, in the link task's directory. */
    private interface Then {
        int with(Intake fetched, Path dir) throws java.io.IOException, InterruptedException;
    }

    private int fetchThen(String target, Stdio stdio, Then then) throws InterruptedException {
        Judged link = judge(target);
        URI url = link.url();
        Verdict verdict = link.verdict();
        LevelSettings level = link.level();
        String name = link.name(), type = link.type(), taskId = link.taskId();
        // A link is never handed to the catch-all "*": that opens files, not URLs.
        List<String> handler = level.specificHandlerFor(type);
        if (handler == null) {
            throw Tasks.noHandler(ctx, type, verdict.level());
        }
        CellSpec spec = announce(link, handler);
        return Tasks.inTaskDir(ctx, taskId, "the task failed", dir -> {
            Network network = spec.network();
            CellRun run = CellRun.run(
                    ctx.engines().apply(level.engine()), spec, stdio, dir.resolve("fetched"), level.quota());
            Provenance from = link.provenance(run.cellId());
            if (run.exit().exitCode() != 0) {
                Tasks.say(ctx, whyNotFetched(run, url, verdict.level(), network, taskId));
                Tasks.persist(ctx, run.harvest(), level.persistence(), from);
                return run.exit().exitCode();
            }
            Harvest.OutputFile got = fetchedFile(run.harvest(), name);
            InputSnapshot in = got == null
                    ? null
                    : InputSnapshot.fetched(
                            got,
                            dir.resolve("in"),
                            url.toASCIIString(),
                            Path.of("").toAbsolutePath().resolve(got.name()));
            // The download itself is kept (or not) by the level's rule, tainted with the link, like any output.
            Tasks.persist(ctx, run.harvest(), level.persistence(), from);
            if (in == null) {
                Tasks.say(
                        ctx,
                        "isola: the fetch left no file named " + name + " in " + Intake.OUT + ": nothing to "
                                + "open (the policy's " + type + " handler must write {output}/{name})");
                return 1;
            }
            Tasks.say(
                    ctx,
                    "isola: fetched " + in.name() + " (" + in.size() + " bytes) in cell " + run.cellId()
                            + " through the " + verdict.level().word() + " network");
            return then.with(Intake.fetched(ctx, taskId, in, verdict), dir);
        });
    }

    /** The file the handler wrote as {@code {output}/{name}}, or the only file it left; null for none. */
    private static Harvest.OutputFile fetchedFile(Harvest h, String name) {
        for (Harvest.OutputFile f : h.files()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return h.files().size() == 1 ? h.files().getFirst() : null;
    }

    /**
     * One line on why a fetch failed: the proxy's refusal (its rule, and how to see and change it), no network at
     * all, or the fetcher's own failure (its message is already on the terminal).
     */
    private String whyNotFetched(CellRun run, URI url, TrustLevel trust, Network network, String taskId) {
        String level = trust.word();
        NetworkAccess access = ctx.policy().network().access(trust);
        if (!network.reachesOut()) {
            String why = access == NetworkAccess.NONE
                    ? level + " cells have no network (the policy's [level." + level + "] network = \"none\")"
                    : "Isola gives cells no network here";
            ctx.audit()
                    .record(AuditEvent.of(
                            "connection.blocked",
                            run.cellId(),
                            "task",
                            taskId,
                            "target",
                            url.toASCIIString(),
                            "level",
                            level,
                            "rule",
                            "network none",
                            "reason",
                            "the cell has no network"));
            return "isola: the fetch was refused: the cell has no network (loopback only): " + why + "; nothing "
                    + "was downloaded. Download it with your browser, then: isola open FILE (or isola open --view FILE)";
        }
        List<AuditEvent> refused = ctx.networks().refusals(run.cellId());
        if (refused.isEmpty()) {
            return "isola: the fetch failed (the fetcher's exit code "
                    + run.exit().exitCode() + "; its message, if " + "any, is above): nothing was opened";
        }
        AuditEvent e = refused.getLast();
        Object host = e.fields().getOrDefault("name", e.fields().get("address"));
        Object port = e.fields().get("port");
        Object address = e.fields().get("name") != null ? e.fields().get("address") : null;
        Object reason = e.fields().get("reason");
        return "isola: the fetch was refused by the network policy: "
                + (host == null
                        ? "the request"
                        : host + (port == null ? "" : ":" + port) + (address == null ? "" : " (" + address + ")"))
                + ": " + e.fields().get("rule") + (reason == null ? "" : " (" + reason + ")") + " (" + level
                + " cells, network " + access.word() + "); nothing was opened. See why: isola net explain "
                + (host == null ? url.toASCIIString() : host + (port == null ? "" : ":" + port)) + " --level "
                + level + "; the policy's [network] section decides (docs/network.md)";
    }

    /** A safe file name from the link's last path segment. */
    static String fileName(URI url) {
        String p = url.getPath() == null ? "" : url.getPath();
        String last = p.substring(p.lastIndexOf('/') + 1);
        String safe = Harvester.safeName(last.replaceAll("[^A-Za-z0-9._-]", "_"));
        return safe.isEmpty() || safe.startsWith(".") ? "download" : safe;
    }
}
