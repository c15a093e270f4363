package io.isola.task;

import io.isola.core.CellExit;
import io.isola.core.CellSpec;
import io.isola.core.Harvest;
import io.isola.core.Stdio;
import io.isola.core.output.Provenance;
import io.isola.core.policy.Persistence;
import io.isola.core.trust.Marks;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code isola open FILE}: snapshot the file, detect its type from its content, classify its trust, and run the
 * handler the policy names for that level and type in a new cell that sees the image, its copy of the file at
 * {@code /in} and an empty {@code /out}. When the cell ends, what it left goes through the persistence rule.
 */
public final class OpenTask {
    private final TaskContext ctx;

    public OpenTask(TaskContext ctx) {
        this.ctx = ctx;
    }

    public int run(Path file, Stdio stdio) throws InterruptedException {
        return run(file, stdio, false);
    }

    /** Whether the task's program is shown in a window ({@link WindowRun}); closing the window ends the task. */
    public enum Window {
        /** The policy's handler, without a display. */
        NONE,
        /** The level's graphical program for the type, in a window ({@code open --window}): refused where none. */
        REQUIRED,
        /**
         * A window when the level has a graphical program for the type (its {@code window-handlers}), else as
         * {@link #NONE}: what a double-click asks for, and an open in a session with a display.
         */
        IF_GRAPHICAL
    }

    /**
     * {@code window}: the handler is the type's graphical program, drawing on a display of the cell's own that a
     * host window shows ({@link WindowRun}); closing the window ends the task.
     */
    public int run(Path file, Stdio stdio, boolean window) throws InterruptedException {
        return run(file, stdio, window ? Window.REQUIRED : Window.NONE);
    }

    public int run(Path file, Stdio stdio, Window window) throws InterruptedException {
        if (window == Window.REQUIRED) {
            ctx.windows().check();
        }
        String taskId = Tasks.newId();
        return Tasks.inTaskDir(
                ctx,
                taskId,
                "the task failed",
                dir -> open(Intake.take(ctx, taskId, file, dir, "open"), dir, stdio, true, window));
    }

    /**
     * Runs the level's handler for the input's type in a new cell on the level's network, and applies the
     * persistence rule to what it leaves. {@code local}: the input is a file of the user's, so a new version of it
     * may go beside it; a fetched input has no original there (its new versions go to the quarantine).
     */
    int open(Intake it, Path dir, Stdio stdio, boolean local) throws IOException, InterruptedException {
        return open(it, dir, stdio, local, Window.NONE);
    }

    int open(Intake it, Path dir, Stdio stdio, boolean local, Window mode) throws IOException, InterruptedException {
        String taskId = it.taskId();
        InputSnapshot in = it.input();
        // a window where one is asked for, or where the level has a graphical program for the type and the person a
        // display to show it on; else the level's handler, without a display
        List<String> windowHandler = mode == Window.NONE ? null : it.level().windowHandlerFor(it.type());
        boolean window = mode == Window.REQUIRED
                || windowHandler != null && ctx.windows().available();
        List<String> handler = window ? windowHandler : it.level().handlerFor(it.type());
        if (handler == null && window) { // asked for (--window), and the level has none
            String level = it.verdict().level().word();
            throw new io.isola.core.IsolaException(
                    "no window handler for " + it.type() + " at level " + level + ": name its program in the policy's"
                            + " [level." + level + ".window-handlers] (isola policy show lists them), or open it"
                            + " without --window to run its handler",
                    2);
        }
        if (handler == null) {
            throw Tasks.noHandler(ctx, it.type(), it.verdict().level());
        }
        if (local && it.level().persistence() == Persistence.NEW_VERSION) {
            ctx.persister().checkCanCreateBeside(in.original());
        }
        Tasks.say(ctx, "isola: " + in.original().getFileName() + " is " + it.type() + ", " + it.why());
        CellSpec spec = it.spec(
                ctx,
                Tasks.argv(handler, Map.of("file", it.inputInCell(), "output", Intake.OUT)),
                List.of(),
                it.network(ctx));
        CellRun run = window
                ? inWindow(it, spec, dir, stdio, handler)
                : CellRun.run(
                        ctx.engines().apply(it.level().engine()),
                        spec,
                        stdio,
                        dir.resolve("out"),
                        it.level().quota());
        if (window && run.exit().reason() == CellExit.Reason.KILLED) {
            // the window's own end: closed by the user, or by the host refusing what the cell drew (said already)
        } else if (run.exit().reason() == CellExit.Reason.KILLED) {
            Tasks.say(
                    ctx,
                    "isola: the task was stopped: " + run.exit().detail()
                            + "; what it left still goes through the policy");
        } else if (run.exit().reason().isLimit()) {
            Tasks.say(
                    ctx,
                    "isola: the task " + Tasks.limitReached(run.exit()) + "; raise it in the policy's" + " [level."
                            + it.verdict().level().word() + "]");
        }
        Provenance from = new Provenance(
                taskId,
                run.cellId(),
                it.verdict().level(),
                in.marks().origin() != null
                        ? in.marks().origin()
                        : in.original().toUri().toString(),
                in.marks().get(Marks.XDG_ORIGIN),
                in.marks().get(Marks.XDG_REFERRER),
                local ? in.original() : null,
                Instant.now());
        Tasks.persist(ctx, changedOnly(run.harvest(), in), it.level().persistence(), from);
        return run.exit().exitCode();
    }

    private CellRun inWindow(Intake it, CellSpec spec, Path dir, Stdio stdio, List<String> handler)
            throws IOException, InterruptedException {
        return WindowRun.forTask(
                ctx,
                it.level(),
                it.verdict().level(),
                spec,
                handler.get(0) + ": " + it.input().original().getFileName(),
                stdio,
                dir.resolve("out"),
                size -> ReadyViewers.ask(ctx, it, handler, spec, size));
    }

    /** The task's copy of its input comes out only if the task really changed it. */
    private static Harvest changedOnly(Harvest h, InputSnapshot in) {
        List<Harvest.OutputFile> files = new ArrayList<>();
        for (Harvest.OutputFile f : h.files()) {
            boolean unchanged = f.kind() == Harvest.Kind.CHANGED_INPUT
                    && f.name().equals(in.name())
                    && f.sha256().equals(in.sha256());
            if (!unchanged) {
                files.add(f);
            }
        }
        return new Harvest(files, h.problems());
    }
}
