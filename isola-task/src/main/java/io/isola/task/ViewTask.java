package io.isola.task;

import io.isola.core.CellExit;
import io.isola.core.IsolaException;
import io.isola.core.Stdio;
import io.isola.core.Trace;
import io.isola.core.TaskFiles;
import io.isola.core.audit.AuditEvent;
import io.isola.core.output.Harvest;
import io.isola.core.output.OutputQuota;
import io.isola.core.output.Persister;
import io.isola.core.trust.Marks;
import io.isola.core.trust.TrustLevel;
import io.isola.view.SafeView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
        String taskId = Tasks.newId();
        Path dir = null;
        try {
            dir = ctx.dirs().create(taskId);
            Intake it = Intake.take(ctx, taskId, file, dir, "view");
            InputSnapshot in = it.input();
            Renderers r = Renderers.forType(it.type(), it.inputInCell());
            ctx.persister().checkCanCreateBeside(in.original());
            Tasks.say(ctx, "isola: safe view of " + in.original().getFileName() + " (" + it.type() + ", "
                    + it.why() + ")");
            List<TaskFiles.Input> renderer = r.renderer() == null ? List.of() : List.of(r.input(dir));
            CellRun run = CellRun.run(ctx.engines().apply(it.level().engine()), it.spec(ctx, r.argv(), renderer),
                    stdio, dir.resolve("pages"), PIXELS);
            if (run.exit().exitCode() != 0) {
                String why = run.exit().reason() == CellExit.Reason.KILLED
                        ? "rendering was stopped (" + run.exit().detail() + "): the document may be hostile, or "
                                + "needs more than its level allows"
                        : "the renderer failed (exit code " + run.exit().exitCode() + ")";
                Tasks.say(ctx, "isola: " + why + "; no safe view was made");
                return run.exit().exitCode();
            }
            for (Harvest.Problem p : run.harvest().problems()) {
                Tasks.say(ctx, "isola: " + p.name() + " " + p.message());
            }
            Trace.mark("pages harvested");
            Path built = dir.resolve("safe" + (r.kind() == SafeView.Kind.PNG ? ".png" : ".pdf"));
            SafeView.rebuild(dir.resolve("pages"), r.kind(), built, SafeView.Limits.DEFAULT, r.dpi());
            // Published beside the original with the caller's rights, under the first free name.
            Path target = Persister.createExclusive(built, safeName(in.original(), r.kind()),
                    ctx.persister().besideOriginals());
            Trace.mark("clean document rebuilt");
            Path kept = mark(target, built, in, run.cellId(), taskId);
            Trace.mark("clean document sealed");
            int pages = run.harvest().files().size();
            Tasks.say(ctx, "isola: " + pages + " page(s) -> " + kept + " (trusted: rebuilt from pixels in "
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
    /**
     * Marks the published file. Nothing here changes it by path beyond its xattrs (which a symlink cannot take):
     * under sudo it lies in the user's directory, where they may swap it for a link to a root-only file. It was
     * created 0644 and, under sudo, as the user's own.
     */
    private Path mark(Path target, Path built, InputSnapshot in, String cell, String taskId) throws IOException {
        String sha = Digests.sha256(target);
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
            Files.copy(built, q); // from Isola's own copy: the published name may be a link by now
            Files.delete(target);
            marks.write(q);
            Tasks.say(ctx, "isola: not saved beside the original: " + e.getMessage() + "; it is in " + q);
            kept = q;
        }
        return kept;
    }
}
