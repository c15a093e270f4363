package io.isola.task;

import io.isola.core.CellIds;
import io.isola.core.IsolaException;
import io.isola.core.output.Harvest;
import io.isola.core.output.Provenance;
import io.isola.core.policy.Persistence;
import io.isola.core.trust.TrustLevel;
import java.io.IOException;

/** What the tasks share once their cell has ended. */
final class Tasks {
    private Tasks() {}

    /** One line of the task's report; whatever a file or cell chose in it cannot drive the user's terminal. */
    static void say(TaskContext ctx, String line) {
        ctx.report().println(io.isola.core.output.Harvester.escapeControls(line));
    }

    static String newId() {
        return "t" + CellIds.next().substring(1);
    }

    static IsolaException noHandler(TaskContext ctx, String type, TrustLevel level) {
        return new IsolaException("the policy (" + ctx.policy().source() + ") names no handler for " + type
                + " at level " + level.word() + ": add one under [level." + level.word() + ".handlers]", 2);
    }

    /** Applies the persistence rule to what the cell left, and tells the user and the audit log what happened. */
    static void persist(TaskContext ctx, Harvest h, Persistence rule, Provenance from) throws IOException {
        Outcomes.report(ctx, from.taskId(), h, ctx.persister().persist(h, rule, from), rule);
    }
}
