package io.isola.task;

import io.isola.core.CellExit;
import io.isola.core.CellIds;
import io.isola.core.Harvest;
import io.isola.core.IsolaException;
import io.isola.core.output.Provenance;
import io.isola.core.policy.Persistence;
import io.isola.core.trust.TrustLevel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the tasks share once their cell has ended. */
final class Tasks {
    private Tasks() {}

    /** One line of the task's report; whatever a file or cell chose in it cannot drive the user's terminal. */
    /** "reached its memory limit (...)" for a cell that ran into a limit the kernel enforces. */
    static String limitReached(CellExit exit) {
        String which = exit.reason() == CellExit.Reason.MEMORY_LIMIT ? "memory limit (memory" : "process limit (pids";
        return "reached its " + which + " in the policy: " + exit.detail() + ")";
    }

    static void say(TaskContext ctx, String line) {
        ctx.report().println(io.isola.core.TerminalText.escape(line));
    }

    static String newId() {
        return "t" + CellIds.next().substring(1);
    }

    static IsolaException noHandler(TaskContext ctx, String type, TrustLevel level) {
        return new IsolaException(
                "the policy (" + ctx.policy().source() + ") names no handler for " + type + " at level " + level.word()
                        + ": add one under [level." + level.word() + ".handlers]",
                2);
    }

    /** A task's work in its own directory under Isola's state. */
    interface InTaskDir {
        int run(Path dir) throws IOException, InterruptedException;
    }

    /**
     * Runs {@code work} in a new task directory, which goes when it ends however it ends. An I/O failure becomes
     * one line: {@code failed} followed by what went wrong.
     */
    static int inTaskDir(TaskContext ctx, String taskId, String failed, InTaskDir work) throws InterruptedException {
        Path dir = null;
        try {
            dir = ctx.dirs().create(taskId);
            return work.run(dir);
        } catch (IOException e) {
            throw new IsolaException(failed + ": " + e.getMessage());
        } finally {
            if (dir != null) {
                TaskDirs.delete(dir);
            }
        }
    }

    /** A handler's command line: each {@code {name}} placeholder of {@code template} replaced by its value. */
    static List<String> argv(List<String> template, Map<String, String> values) {
        List<String> out = new ArrayList<>();
        for (String a : template) {
            for (Map.Entry<String, String> v : values.entrySet()) {
                a = a.replace("{" + v.getKey() + "}", v.getValue());
            }
            out.add(a);
        }
        return out;
    }

    /** Applies the persistence rule to what the cell left, and tells the user and the audit log what happened. */
    static void persist(TaskContext ctx, Harvest h, Persistence rule, Provenance from) throws IOException {
        Outcomes.report(ctx, from.taskId(), h, ctx.persister().persist(h, rule, from), rule, from.trust());
    }
}
