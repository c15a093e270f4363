package io.isola.task;

import io.isola.core.TerminalText;
import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.IsolaException;
import io.isola.core.Network;
import io.isola.core.Stdio;
import io.isola.core.TaskFiles;
import io.isola.core.audit.AuditEvent;
import io.isola.core.output.Harvester;
import io.isola.core.output.Provenance;
import io.isola.core.policy.LevelSettings;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.policy.TrustClassifier.Verdict;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code isola open URL}: the link is fetched inside a cell, never by Isola itself, by the handler the policy names
 * for its scheme ({@code x-scheme-handler/https}, as freedesktop names URL handlers). Whatever comes out is tainted
 * with the link as {@code user.xdg.origin.url}. Cells have loopback only until Isola has a network policy, so today
 * every fetch is refused, and the task says so.
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
            throw new IsolaException("'" + shown + "' is not a valid file URL (" + e.getReason() + "): write "
                    + "special characters as %XX, e.g. a space as %20, or give the file's path instead", 2);
        }
        String host = u.getHost() != null ? u.getHost() : u.getRawAuthority();
        if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
            throw new IsolaException("'" + shown + "' names a file on another host (" + TerminalText.printable(host)
                    + "): Isola opens local files only; copy it to this machine first", 2);
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IsolaException("'" + shown + "' has a query or fragment (?… or #…), which no file has: in a "
                    + "file name write ? as %3F and # as %23", 2);
        }
        String path = u.getPath();
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new IsolaException("'" + shown + "' does not name a file by its full path: write it as "
                    + "file:///full/path", 2);
        }
        return Path.of(path);
    }

    public int run(String target, Stdio stdio) throws InterruptedException {
        URI url = TrustClassifier.uri(target);
        String scheme = url == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (url == null || !scheme.equals("http") && !scheme.equals("https")) {
            throw new IsolaException("'" + TerminalText.printable(target) + "' is not an http or https link Isola can "
                    + "open: give a full URL such as https://example.com/file.pdf", 2);
        }
        String taskId = Tasks.newId();
        Verdict verdict = ctx.classifier().link(url);
        LevelSettings level = ctx.policy().level(verdict.level());
        String type = "x-scheme-handler/" + scheme;
        // A link is never handed to the catch-all "*": that opens files, not URLs.
        List<String> handler = level.specificHandlerFor(type);
        if (handler == null) {
            throw Tasks.noHandler(ctx, type, verdict.level());
        }
        String name = fileName(url);
        List<String> argv = Tasks.argv(handler, Map.of("url", url.toASCIIString(), "name", name,
                "output", Intake.OUT));
        Tasks.say(ctx, "isola: " + url.getHost() + " is " + verdict.level().word() + ": " + verdict.reason());
        ctx.audit().record(AuditEvent.of("task.classified", null, "task", taskId, "target", url.toASCIIString(),
                "type", type, "trust", verdict.level().word(), "reason", verdict.reason()));
        return Tasks.inTaskDir(ctx, taskId, "the task failed", dir -> {
            CellSpec spec = new CellSpec(level.engine(), level.image(), argv,
                    CellEnvironment.build(ctx.callerEnv(), List.of()), List.of(), Path.of(Intake.OUT),
                    Network.NONE, level.limits(), new TaskFiles(List.of(), Intake.OUT));
            CellRun run = CellRun.run(ctx.engines().apply(level.engine()), spec, stdio, dir.resolve("out"),
                    level.quota());
            if (run.exit().exitCode() != 0 && !spec.network().reachesOut()) {
                Tasks.say(ctx, "isola: the fetch was refused: the cell has no network (loopback only), "
                        + "and Isola grants none to links yet; nothing was downloaded. Download it with your "
                        + "browser, then: isola open FILE (or isola open --view FILE)");
                ctx.audit().record(AuditEvent.of("connection.blocked", run.cellId(), "task", taskId, "target",
                        url.toASCIIString(), "reason", "no network for links"));
            }
            Provenance from = new Provenance(taskId, run.cellId(), verdict.level(), url.toASCIIString(),
                    url.toASCIIString(), null, null, Instant.now());
            Tasks.persist(ctx, run.harvest(), level.persistence(), from);
            return run.exit().exitCode();
        });
    }

    /** A safe file name from the link's last path segment. */
    static String fileName(URI url) {
        String p = url.getPath() == null ? "" : url.getPath();
        String last = p.substring(p.lastIndexOf('/') + 1);
        String safe = Harvester.safeName(last.replaceAll("[^A-Za-z0-9._-]", "_"));
        return safe.isEmpty() || safe.startsWith(".") ? "download" : safe;
    }
}
