package io.isola.task;

import io.isola.core.Harvest;
import io.isola.core.Harvest.Problem.Reason;
import io.isola.core.Host;
import io.isola.core.audit.AuditEvent;
import io.isola.core.output.Persister.Outcome;
import io.isola.core.policy.Persistence;
import io.isola.core.trust.TrustLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Tells the user, and the audit log, what left a cell and what did not. */
final class Outcomes {
    /**
     * Problems told one by one on the terminal; past them, a count of each kind. A task that leaves 100,000 links
     * must not bury what matters in 100,000 lines: the audit log keeps every one.
     */
    static final int SHOWN = 5;

    private Outcomes() {}

    /** Every entry that did not come out as the task left it: each in the audit log, a summary past a few. */
    static void problems(TaskContext ctx, String taskId, Harvest h) {
        List<Harvest.Problem> all = h.problems();
        Map<Reason, Integer> counts = new EnumMap<>(Reason.class);
        for (int i = 0; i < all.size(); i++) {
            Harvest.Problem p = all.get(i);
            if (i < SHOWN || all.size() == SHOWN + 1) {
                Tasks.say(ctx, "isola: " + p.name() + " " + p.message());
            }
            counts.merge(p.reason(), 1, Integer::sum);
            ctx.audit()
                    .record(AuditEvent.of(
                            p.kept() ? "file.renamed" : "file.refused",
                            null,
                            "task",
                            taskId,
                            "name",
                            p.name(),
                            "message",
                            p.message(),
                            "reason",
                            word(p.reason())));
        }
        if (all.size() > SHOWN + 1) {
            StringBuilder b = new StringBuilder("isola: and " + (all.size() - SHOWN) + " more entries did not come "
                    + "out as the task left them; in all:");
            counts.forEach((reason, n) ->
                    b.append(' ').append(n).append(' ').append(reason.words()).append(';'));
            b.append(" every one is in the audit log");
            Tasks.say(ctx, b.toString());
        }
    }

    /** A reason as the audit log names it: {@code not-regular}, {@code byte-quota}… */
    static String word(Reason r) {
        return r.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * How the person keeps what a task made next time: the persistence setting, and the policy file to put it in
     * (the one in force, or for the built-in policy the user's own, which would take its place).
     */
    static String keepHint(TaskContext ctx, TrustLevel level) {
        Path source = Path.of(ctx.policy().source()).toAbsolutePath();
        String where = Files.isRegularFile(source)
                ? "in " + source
                : "in a policy file of your own, "
                        + Host.invokingHome(ctx.callerEnv()).resolve(".config/isola/" + "policy.toml")
                        + " (examples/policy.toml explains every key)";
        return "; to keep them, set persistence = \"quarantine\" (kept apart, tainted) or \"new-version\" under "
                + "[level." + level.word() + "] " + where;
    }

    static void report(
            TaskContext ctx, String taskId, Harvest h, List<Outcome> outcomes, Persistence rule, TrustLevel from) {
        problems(ctx, taskId, h);
        for (Outcome o : outcomes) {
            if (o.path() != null) {
                // a message with a kept file says it was kept other than the rule says (quarantined, not beside)
                Tasks.say(
                        ctx,
                        "isola: kept " + o.path() + " (" + (o.message() != null ? o.message() : rule.word())
                                + ", tainted)");
                ctx.audit()
                        .record(AuditEvent.of(
                                "file.persisted",
                                null,
                                "task",
                                taskId,
                                "path",
                                o.path().toString(),
                                "rule",
                                o.message() != null ? Persistence.QUARANTINE.word() : rule.word()));
            } else {
                Tasks.say(ctx, "isola: " + o.message() + (rule == Persistence.DISCARD ? keepHint(ctx, from) : ""));
                ctx.audit().record(AuditEvent.of("file.discarded", null, "task", taskId, "message", o.message()));
            }
        }
    }
}
