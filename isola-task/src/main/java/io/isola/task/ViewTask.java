package io.isola.task;

import io.isola.core.CellEnvironment;
import io.isola.core.CellExit;
import io.isola.core.CellIds;
import io.isola.core.CellSpec;
import io.isola.core.Host;
import io.isola.core.IsolaException;
import io.isola.core.Network;
import io.isola.core.Stdio;
import io.isola.core.TaskFiles;
import io.isola.core.Trace;
import io.isola.core.ViewEntry;
import io.isola.core.audit.AuditEvent;
import io.isola.core.output.Harvest;
import io.isola.core.output.OutputQuota;
import io.isola.core.output.Persister;
import io.isola.core.policy.LevelSettings;
import io.isola.core.policy.TrustClassifier.Verdict;
import io.isola.core.trust.Marks;
import io.isola.core.trust.TrustLevel;
import io.isola.view.SafeView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code isola open --view FILE}, the safe view: a cell renders the document to raw pixels, and the host rebuilds a
 * PDF (or PNG) from those pixels alone, so no script, link, form, embedded file or font of the original survives.
 * The result is trusted output: it is sealed as such, and saved beside the original as {@code NAME.safe.pdf}.
 */
public final class ViewTask {
    /** Pages leave the cell as raw pixels: up to SafeView's page cap, and 4 GiB of them. */
    private static final OutputQuota PIXELS = new OutputQuota(SafeView.Limits.DEFAULT.maxPages(), 4L << 30, 1, false);

    private final TaskContext ctx;

    public ViewTask(TaskContext ctx) {
        this.ctx = ctx;
    }

    public int run(Path file, Stdio stdio) throws InterruptedException {
        String taskId = "t" + CellIds.next().substring(1);
        Path dir = null;
        try {
            dir = ctx.dirs().create(taskId);
            LevelSettings probe = ctx.policy().level(TrustLevel.UNTRUSTED);
            InputSnapshot in = InputSnapshot.take(file, dir.resolve("in"), probe.limits().diskBytes());
            String type = TypeDetector.detect(in.copy(), in.name());
            Verdict verdict = ctx.classifier().file(in.realPath(), type, in.marks(), in.sha256());
            LevelSettings level = ctx.policy().level(verdict.level());
            Renderers r = Renderers.forType(type, OpenTask.IN + "/" + in.name());
            ctx.persister().checkCanCreateBeside(in.original());
            ctx.report().println("isola: safe view of " + in.original().getFileName() + " (" + type + ", "
                    + verdict.level().word() + ": " + verdict.reason() + ")");
            ctx.audit().record(AuditEvent.of("task.classified", null, "task", taskId, "target",
                    in.original().toString(), "type", type, "sha256", in.sha256(), "trust", verdict.level().word(),
                    "reason", verdict.reason(), "view", true));
            List<ViewEntry> view = r.renderer() == null ? List.of()
                    : List.of(new ViewEntry(r.renderer(), Path.of(r.cellPath()), ViewEntry.Access.READ_ONLY));
            CellSpec spec = new CellSpec(level.engine(), level.image(), r.argv(),
                    CellEnvironment.build(ctx.callerEnv(), List.of()), view, Path.of(OpenTask.OUT),
                    Network.LOOPBACK_ONLY, level.limits(),
                    new TaskFiles(List.of(new TaskFiles.Input(in.dir(), OpenTask.IN)), OpenTask.OUT));
            Trace.mark("view classified");
            CellRun run = CellRun.run(ctx.engines().apply(level.engine()), spec, stdio, dir.resolve("pages"), PIXELS);
            if (run.exit().exitCode() != 0) {
                String why = run.exit().reason() == CellExit.Reason.KILLED
                        ? "rendering was stopped (" + run.exit().detail() + "): the document may be hostile, or "
                                + "needs more than its level allows"
                        : "the renderer failed (exit code " + run.exit().exitCode() + ")";
                ctx.report().println("isola: " + why + "; no safe view was made");
                return run.exit().exitCode();
            }
            for (Harvest.Problem p : run.harvest().problems()) {
                ctx.report().println("isola: " + p.name() + " " + p.message());
            }
            Trace.mark("pages harvested");
            Path built = dir.resolve("safe" + (r.kind() == SafeView.Kind.PNG ? ".png" : ".pdf"));
            SafeView.rebuild(dir.resolve("pages"), r.kind(), built, SafeView.Limits.DEFAULT, r.dpi());
            // Published beside the original with the caller's rights, under the first free name.
            Path target = Persister.createExclusive(built, safeName(in.original(), r.kind()),
                    ctx.persister().besideOriginals());
            Trace.mark("clean document rebuilt");
            Path kept = mark(target, in, run.cellId(), taskId);
            Trace.mark("clean document sealed");
            int pages = run.harvest().files().size();
            ctx.report().println("isola: " + pages + " page(s) -> " + kept + " (trusted: rebuilt from pixels in "
                    + "cell " + run.cellId() + ", nothing active left)");
            ctx.audit().record(AuditEvent.of("file.persisted", run.cellId(), "task", taskId, "path", kept.toString(),
                    "rule", "safe-view", "pages", pages));
            return 0;
        } catch (IOException e) {
            throw new IsolaException("the safe view failed: " + e.getMessage());
        } finally {
            if (dir != null) {
                TaskDirs.delete(dir);
            }
        }
    }

    /** {@code NAME.safe.pdf} beside the original ({@code NAME.safe (isola 2).pdf} when that is taken). */
    static Path safeName(Path original, SafeView.Kind kind) {
        String name = original.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return original.resolveSibling(stem + ".safe" + (kind == SafeView.Kind.PNG ? ".png" : ".pdf"));
    }

    /** Seals the result as trusted; where its file system cannot hold the marks, it moves to Isola's quarantine. */
    private Path mark(Path target, InputSnapshot in, String cell, String taskId) throws IOException {
        String sha = sha256(target);
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Marks.TRUST, TrustLevel.TRUSTED.word());
        m.put(Marks.ORIGIN, in.marks().origin() != null ? in.marks().origin() : in.original().toUri().toString());
        m.put(Marks.CELL, cell);
        m.put("isola.task", taskId);
        m.put(Marks.TIME, Instant.now().toString());
        m.put(Marks.SHA256, sha);
        m.put("isola.view-of", in.sha256());
        m.put(Marks.SEAL, ctx.seal().sign(TrustLevel.TRUSTED, sha, cell));
        Marks marks = new Marks(m);
        Path kept = target;
        try {
            marks.write(target);
        } catch (Marks.TaintNotWritableException e) {
            Path q = Files.createDirectories(ctx.persister().fallbackDir().resolve(taskId))
                    .resolve(target.getFileName().toString());
            Files.copy(target, q);
            Files.delete(target);
            marks.write(q);
            ctx.report().println("isola: not saved beside the original: " + e.getMessage() + "; it is in " + q);
            kept = q;
        }
        Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rw-r--r--"));
        int[] owner = Host.invokingIds(ctx.callerEnv());
        Files.setAttribute(kept, "unix:uid", owner[0]);
        Files.setAttribute(kept, "unix:gid", owner[1]);
        return kept;
    }

    private static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[128 << 10];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
