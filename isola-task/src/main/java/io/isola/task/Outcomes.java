package io.isola.task;

import io.isola.core.audit.AuditEvent;
import io.isola.core.output.Harvest;
import io.isola.core.output.Persister.Outcome;
import io.isola.core.policy.Persistence;
import java.util.List;

/** Tells the user, and the audit log, what left a cell and what did not. */
final class Outcomes {
    private Outcomes() {}

    /** Every entry that did not come out as the task left it. */
    static void problems(TaskContext ctx, String taskId, Harvest h) {
        for (Harvest.Problem p : h.problems()) {
            Tasks.say(ctx, "isola: " + p.name() + " " + p.message());
            ctx.audit().record(AuditEvent.of(p.kept() ? "file.renamed" : "file.refused", null, "task", taskId,
                    "name", p.name(), "message", p.message()));
        }
    }

    static void report(TaskContext ctx, String taskId, Harvest h, List<Outcome> outcomes, Persistence rule) {
        problems(ctx, taskId, h);
        for (Outcome o : outcomes) {
            if (o.path() != null) {
                Tasks.say(ctx, "isola: kept " + o.path() + " (" + rule.word() + ", tainted)");
                ctx.audit().record(AuditEvent.of("file.persisted", null, "task", taskId, "path", o.path().toString(),
                        "rule", rule.word()));
            } else {
                Tasks.say(ctx, "isola: " + o.message());
                ctx.audit().record(AuditEvent.of("file.discarded", null, "task", taskId, "message", o.message()));
            }
        }
    }
}
