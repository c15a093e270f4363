package io.isola.task;

import io.isola.core.CellExit;
import io.isola.core.Stdio;
import io.isola.core.Trace;
import io.isola.core.TaskFiles;
import io.isola.core.audit.AuditEvent;
import io.isola.core.output.OutputQuota;
import io.isola.core.output.Harvest;
import io.isola.core.output.Persister;
import io.isola.core.output.Provenance;
import io.isola.core.trust.TrustLevel;
import io.isola.view.SafeView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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
        return Tasks.inTaskDir(ctx, taskId, "the safe view failed", dir -> {
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
                        : run.exit().reason().isLimit() ? "rendering " + Tasks.limitReached(run.exit())
                                + " (the document may be hostile, or needs more than its level allows)"
                        : "the renderer failed (exit code " + run.exit().exitCode() + ")";
                Tasks.say(ctx, "isola: " + why + "; no safe view was made");
                return run.exit().exitCode();
            }
            Outcomes.problems(ctx, taskId, run.harvest());
            Trace.mark("pages harvested");
            Path built = dir.resolve("safe" + (r.kind() == SafeView.Kind.PNG ? ".png" : ".pdf"));
            SafeView.rebuild(dir.resolve("pages"), r.kind(), built, SafeView.Limits.DEFAULT, r.dpi());
            Trace.mark("clean document rebuilt");
            Path kept = publish(built, in, run.cellId(), taskId, r.kind());
            Trace.mark("clean document sealed");
            int pages = run.harvest().files().size();
            Tasks.say(ctx, "isola: " + pages + " page(s) -> " + kept + " (trusted: rebuilt from pixels in "
                    + "cell " + run.cellId() + ", nothing active left)");
            ctx.audit().record(AuditEvent.of("file.persisted", run.cellId(), "task", taskId, "path", kept.toString(),
                    "rule", "safe-view", "pages", pages));
            return 0;
        });
    }

    /** {@code NAME.safe.pdf} beside the original ({@code NAME.safe (isola 2).pdf} when that is taken). */
    static Path safeName(Path original, SafeView.Kind kind) {
        String name = original.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return original.resolveSibling(stem + ".safe" + (kind == SafeView.Kind.PNG ? ".png" : ".pdf"));
    }

    /**
     * Publishes the clean document beside the original with the caller's rights, under the first free name, sealed
     * as trusted output over Isola's own copy; where the file system cannot hold the marks, it goes to Isola's
     * quarantine instead (the persister's rules for every file that leaves a cell).
     */
    private Path publish(Path built, InputSnapshot in, String cell, String taskId, SafeView.Kind kind)
            throws IOException {
        Path wanted = safeName(in.original(), kind);
        Harvest.OutputFile f = new Harvest.OutputFile(wanted.getFileName().toString(), built, Files.size(built),
                Digests.sha256(built), Harvest.Kind.CREATED, null);
        String origin = in.marks().origin() != null ? in.marks().origin() : in.original().toUri().toString();
        Provenance from = new Provenance(taskId, cell, TrustLevel.TRUSTED, origin, null, null, in.original(),
                Instant.now());
        List<Persister.Outcome> notes = new ArrayList<>();
        Path kept = ctx.persister().keepBeside(f, wanted, from, Map.of("isola.view-of", in.sha256()), notes);
        for (Persister.Outcome o : notes) {
            Tasks.say(ctx, "isola: " + o.message());
        }
        return kept;
    }
}
