package io.isola.task;

import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Network;
import io.isola.core.TaskFiles;
import io.isola.core.Trace;
import io.isola.core.audit.AuditEvent;
import io.isola.core.policy.LevelSettings;
import io.isola.core.policy.TrustClassifier.Verdict;
import io.isola.core.trust.TrustLevel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The first half of every file task: the input's snapshot, its type from its content, its trust, and the settings of
 * that trust level. Recorded in the audit log as {@code task.classified}.
 */
record Intake(String taskId, InputSnapshot input, String type, Verdict verdict, LevelSettings level) {
    /** Where the input and the output directory appear inside the cell. */
    static final String IN = "/in", OUT = "/out";

    static Intake take(TaskContext ctx, String taskId, Path file, Path taskDir, String kind) throws IOException {
        // The snapshot is bounded by the smaller disk before the trust (and so the level) is known.
        long disk = ctx.policy().level(TrustLevel.UNTRUSTED).limits().diskBytes();
        InputSnapshot in = InputSnapshot.take(file, taskDir.resolve("in"), disk, ctx.callerEnv());
        Trace.mark("input snapshot taken");
        String type = TypeDetector.detect(in.copy(), in.name());
        Trace.mark("type detected");
        Verdict verdict = ctx.classifier().file(in.realPath(), type, in.marks(), in.sha256());
        Trace.mark("trust classified");
        ctx.audit()
                .record(AuditEvent.of(
                        "task.classified",
                        null,
                        "task",
                        taskId,
                        "kind",
                        kind,
                        "target",
                        in.original().toString(),
                        "type",
                        type,
                        "sha256",
                        in.sha256(),
                        "trust",
                        verdict.level().word(),
                        "reason",
                        verdict.reason()));
        return new Intake(taskId, in, type, verdict, ctx.policy().level(verdict.level()));
    }

    /** The input's path inside the cell. */
    String inputInCell() {
        return IN + "/" + input.name();
    }

    /**
     * The intake of a file a link task fetched: the verdict is the link's (and its level's settings), the marks
     * name the link as the file's origin, as the persister will write them on whatever leaves.
     */
    static Intake fetched(TaskContext ctx, String taskId, InputSnapshot in, Verdict verdict) throws IOException {
        return derived(ctx, taskId, in, verdict, "fetched");
    }

    /**
     * The intake of a file that came out of another ({@code kind}: "fetched" by a link task, a "member" of an
     * archive or message): typed from its own content, at the trust (and level) of what it came from.
     */
    static Intake derived(TaskContext ctx, String taskId, InputSnapshot in, Verdict verdict, String kind)
            throws IOException {
        String type = TypeDetector.detect(in.copy(), in.name());
        ctx.audit()
                .record(AuditEvent.of(
                        "task.classified",
                        null,
                        "task",
                        taskId,
                        "kind",
                        kind,
                        "target",
                        in.marks().origin(),
                        "type",
                        type,
                        "sha256",
                        in.sha256(),
                        "trust",
                        verdict.level().word(),
                        "reason",
                        verdict.reason()));
        return new Intake(taskId, in, type, verdict, ctx.policy().level(verdict.level()));
    }

    /** The network of this input's level (its handler may reach out as the level allows). */
    Network network(TaskContext ctx) {
        return ctx.network(verdict.level());
    }

    /**
     * A cell for {@code argv} that sees the image, its copy of the input at /in, an empty /out and {@code more},
     * on {@code network}.
     */
    CellSpec spec(TaskContext ctx, List<String> argv, List<TaskFiles.Input> more, Network network) {
        List<TaskFiles.Input> inputs = new java.util.ArrayList<>(List.of(new TaskFiles.Input(input.dir(), IN)));
        inputs.addAll(more);
        return new CellSpec(
                level.engine(),
                level.image(),
                argv,
                CellEnvironment.build(ctx.callerEnv(), List.of()),
                List.of(),
                Path.of(OUT),
                network,
                level.limits(),
                new TaskFiles(inputs, OUT));
    }

    /** "untrusted: no rule matches…", for the user. */
    String why() {
        return verdict.level().word() + ": " + verdict.reason();
    }
}
