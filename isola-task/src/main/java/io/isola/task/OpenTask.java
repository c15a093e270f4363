package io.isola.task;

import io.isola.core.CellEnvironment;
import io.isola.core.CellExit;
import io.isola.core.CellIds;
import io.isola.core.CellSpec;
import io.isola.core.IsolaException;
import io.isola.core.Network;
import io.isola.core.Stdio;
import io.isola.core.TaskFiles;
import io.isola.core.Trace;
import io.isola.core.audit.AuditEvent;
import io.isola.core.output.Harvest;
import io.isola.core.output.Persister;
import io.isola.core.output.Provenance;
import io.isola.core.policy.LevelSettings;
import io.isola.core.policy.TrustClassifier.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code isola open FILE}: snapshot the file, detect its type from its content, classify its trust, and run the
 * handler the policy names for that level and type in a new cell that sees the image, its copy of the file at
 * {@code /in} and an empty {@code /out}. When the cell ends, what it left goes through the persistence rule.
 */
public final class OpenTask {
    /** Where the input and the output directory appear inside the cell. */
    public static final String IN = "/in", OUT = "/out";

    private final TaskContext ctx;

    public OpenTask(TaskContext ctx) {
        this.ctx = ctx;
    }

    public int run(Path file, Stdio stdio) throws InterruptedException {
        String taskId = "t" + CellIds.next().substring(1);
        Path dir = null;
        try {
            dir = ctx.dirs().create(taskId);
            LevelSettings probe = ctx.policy().level(io.isola.core.trust.TrustLevel.UNTRUSTED);
            InputSnapshot in = InputSnapshot.take(file, dir.resolve("in"), probe.limits().diskBytes());
            Trace.mark("input snapshot taken");
            String type = TypeDetector.detect(in.copy(), in.name());
            Trace.mark("type detected");
            Verdict verdict = ctx.classifier().file(in.realPath(), type, in.marks(), in.sha256());
            Trace.mark("trust classified");
            LevelSettings level = ctx.policy().level(verdict.level());
            List<String> handler = level.handlerFor(type);
            if (handler == null) {
                throw new IsolaException("the policy (" + ctx.policy().source() + ") names no handler for " + type
                        + " at level " + verdict.level().word() + ": add one under [level." + verdict.level().word()
                        + ".handlers]", 2);
            }
            List<String> argv = substitute(handler, IN + "/" + in.name());
            if (level.persistence() == io.isola.core.policy.Persistence.NEW_VERSION) {
                ctx.persister().checkCanCreateBeside(in.original());
            }
            ctx.report().println("isola: " + in.original().getFileName() + " is " + type + ", "
                    + verdict.level().word() + ": " + verdict.reason());
            ctx.audit().record(AuditEvent.of("task.classified", null, "task", taskId, "target",
                    in.original().toString(), "type", type, "sha256", in.sha256(), "trust", verdict.level().word(),
                    "reason", verdict.reason()));
            CellSpec spec = new CellSpec(level.engine(), level.image(), argv,
                    CellEnvironment.build(ctx.callerEnv(), List.of()), List.of(), Path.of(OUT),
                    Network.LOOPBACK_ONLY, level.limits(), new TaskFiles(List.of(new TaskFiles.Input(in.dir(), IN)),
                            OUT));
            CellRun run = CellRun.run(ctx.engines().apply(level.engine()), spec, stdio, dir.resolve("out"),
                    level.quota());
            if (run.exit().reason() == CellExit.Reason.KILLED) {
                ctx.report().println("isola: the task was stopped: " + run.exit().detail()
                        + "; what it left still goes through the policy");
            }
            Harvest kept = changedOnly(run.harvest(), in);
            String originUrl = in.marks().get(io.isola.core.trust.Marks.XDG_ORIGIN);
            Provenance from = new Provenance(taskId, run.cellId(), verdict.level(),
                    in.marks().origin() != null ? in.marks().origin() : in.original().toUri().toString(),
                    originUrl, in.marks().get(io.isola.core.trust.Marks.XDG_REFERRER), in.original(), Instant.now());
            Outcomes.report(ctx, taskId, kept, ctx.persister().persist(kept, level.persistence(), from),
                    level.persistence());
            return run.exit().exitCode();
        } catch (IOException e) {
            throw new IsolaException("the task failed: " + e.getMessage());
        } finally {
            if (dir != null) {
                TaskDirs.delete(dir);
            }
        }
    }

    /** The task's copy of its input comes out only if the task really changed it. */
    private static Harvest changedOnly(Harvest h, InputSnapshot in) {
        List<Harvest.OutputFile> files = new ArrayList<>();
        for (Harvest.OutputFile f : h.files()) {
            boolean unchanged = f.kind() == Harvest.Kind.CHANGED_INPUT && f.name().equals(in.name())
                    && f.sha256().equals(in.sha256());
            if (!unchanged) {
                files.add(f);
            }
        }
        return new Harvest(files, h.problems());
    }

    static List<String> substitute(List<String> template, String file) {
        List<String> out = new ArrayList<>();
        for (String a : template) {
            out.add(a.replace("{file}", file).replace("{output}", OUT));
        }
        return out;
    }
}
