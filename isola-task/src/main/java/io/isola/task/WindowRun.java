package io.isola.task;

import io.isola.core.Cell;
import io.isola.core.CellExit;
import io.isola.core.CellSpec;
import io.isola.core.Engine;
import io.isola.core.Harvest;
import io.isola.core.OutputQuota;
import io.isola.core.Stdio;
import io.isola.display.CellWindow;
import io.isola.display.WindowLook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one task's cell with a display of its own, shown in a host window, until the program ends or the window
 * closes (which kills the cell), then brings out what it left as {@link CellRun} does. The window's input goes to
 * the cell through a pipe on its standard input; its standard output and error are the caller's.
 *
 * @param closedBecause why the window ended the cell, or null when the program ended by itself
 */
public record WindowRun(String cellId, CellExit exit, Harvest harvest, String closedBecause) {
    /**
     * A task's cell in a window (an {@code open --window} of a file or a link): refused in one line where the level's
     * engine draws none; says why the window closed unless the user closed it, and then counts as exit code 0, as
     * closing is how a window task ends.
     *
     * @param what what runs, for the title ({@code mupdf: report.pdf})
     */
    static CellRun forTask(
            TaskContext ctx,
            io.isola.core.policy.LevelSettings level,
            io.isola.core.trust.TrustLevel trust,
            CellSpec spec,
            String what,
            Stdio stdio,
            Path staging)
            throws IOException, InterruptedException {
        return forTask(ctx, level, trust, spec, what, stdio, staging, size -> null);
    }

    /**
     * The same for a task a viewer started before the click may serve: {@code ready} says which, given the window's
     * size ({@link ReadyViewers#ask}; null: none).
     */
    static CellRun forTask(
            TaskContext ctx,
            io.isola.core.policy.LevelSettings level,
            io.isola.core.trust.TrustLevel trust,
            CellSpec spec,
            String what,
            Stdio stdio,
            Path staging,
            java.util.function.Function<io.isola.display.WindowSize, ReadyViewers.Ask> ready)
            throws IOException, InterruptedException {
        // the size of the desktop it will show on: this process's, or the service's client's
        WindowPlace.Size desktop = ctx.windows().size();
        io.isola.core.Trace.mark("window size known");
        io.isola.display.WindowSize size = desktop.toWindowSize();
        WindowRun run = run(
                ctx.engines().apply(level.engine()),
                spec,
                size,
                ctx.displays(),
                new WindowLook(trust.word(), what),
                ctx.windows(),
                stdio,
                staging,
                level.quota(),
                ctx.audit(),
                ctx.report(),
                ready.apply(size));
        if (run.closedBecause() != null && !run.closedBecause().equals(CellWindow.CLOSED_BY_USER)) {
            Tasks.say(ctx, "isola: the cell's window was closed: " + run.closedBecause());
        }
        CellExit exit = CellWindow.CLOSED_BY_USER.equals(run.closedBecause())
                ? new CellExit(0, run.exit().reason(), run.exit().detail())
                : run.exit();
        return new CellRun(run.cellId(), exit, run.harvest());
    }

    /**
     * {@code isola run --window -- PROGRAM ARGS}: {@code spec}'s command on a display of its own, shown in a window
     * sized for the desktop and titled as untrusted (a command the user names is no more trusted than a file). Nothing
     * leaves the cell. Fails in one line where no window can be shown or the engine draws none.
     *
     * @param scratch a folder for the run's own use, removed afterwards
     * @return the program's exit code, or 0 when the user closed the window
     */
    public static int runProgram(
            Engine engine, CellSpec spec, Path scratch, io.isola.core.audit.AuditLog audit, java.io.PrintStream report)
            throws InterruptedException, IOException {
        CellWindow.checkDisplay();
        String program = Path.of(spec.command().get(0)).getFileName().toString();
        Path staging = Files.createTempDirectory(scratch, "run-window");
        try {
            WindowRun run = run(
                    engine,
                    spec,
                    io.isola.display.WindowSize.forDesktop(),
                    Displays.atOnce(),
                    new WindowLook("untrusted", program + " (isola run)"),
                    WindowPlace.IN_THIS_PROCESS,
                    Stdio.INHERIT,
                    staging.resolve("out"),
                    OutputQuota.DEFAULT,
                    audit,
                    report,
                    null);
            if (CellWindow.CLOSED_BY_USER.equals(run.closedBecause())) {
                return 0;
            }
            if (run.closedBecause() != null) {
                report.println(io.isola.core.TerminalText.escape(
                        "isola: the cell's window was closed: " + run.closedBecause()));
            }
            return run.exit().exitCode();
        } finally {
            TaskDirs.delete(staging);
        }
    }

    /**
     * In a window of this process on a display of {@code size} started for it, also reported once shown to {@code
     * shown} (the benchmark counts its frames).
     */
    public static WindowRun run(
            Engine engine,
            CellSpec spec,
            io.isola.display.WindowSize size,
            WindowLook look,
            Stdio stdio,
            Path staging,
            OutputQuota quota,
            io.isola.core.audit.AuditLog audit,
            java.io.PrintStream report,
            java.util.function.Consumer<CellWindow> shown)
            throws InterruptedException, IOException {
        return run(
                engine,
                spec,
                size,
                Displays.atOnce(),
                look,
                new LocalWindow(shown),
                stdio,
                staging,
                quota,
                audit,
                report,
                null);
    }

    /**
     * Shows the program's display at {@code place}: this process's window, or the service's client's. The display
     * comes from {@code displays} (for a sandbox cell, prepared ahead by the service). Where {@code ready} is a task a
     * viewer started before the click can serve (null: none) and {@code displays} keep such viewers, the task takes
     * one (hands it its file) instead of starting its cell, and one is made ready for the next.
     */
    static WindowRun run(
            Engine engine,
            CellSpec spec,
            io.isola.display.WindowSize size,
            Displays displays,
            WindowLook look,
            WindowPlace place,
            Stdio stdio,
            Path staging,
            OutputQuota quota,
            io.isola.core.audit.AuditLog audit,
            java.io.PrintStream report,
            ReadyViewers.Ask ready)
            throws InterruptedException, IOException {
        Files.createDirectories(staging);
        ReadyViewer viewer = ready == null ? null : displays.readyViewer(ready);
        if (ready != null) {
            displays.keepReady(ready);
        }
        try (ProgramDisplay display = viewer != null ? viewer : displays.forProgram(engine, size)) {
            // The window opens while the program's cell starts: each takes tens of ms (a fresh JVM's first window a
            // few hundred), and the page shows only once both are there. The cell starts on this thread, which
            // lives as long as it does: a VM's QEMU takes the end of the thread that started it for its parent's.
            WindowedCell program = new WindowedCell(audit, report);
            CompletableFuture<AutoCloseable> window = open(
                    place,
                    new WindowPlace.Screen(
                            display.display().folder(),
                            WindowPlace.Size.of(display.display().size()),
                            display.takeInput(), // the place owns it now
                            look.level(),
                            look.what()),
                    program);
            Cell started;
            try {
                if (viewer != null) {
                    started = engine.adopt(viewer.handOver(ready.file(), ready.name(), stdio, ready.network()), spec);
                    // the cell was made for the stand-in: the log says which task's file it now shows
                    audit.record(
                            io.isola.core.audit.AuditEvent.of("cell.handed", started.id(), "command", spec.command()));
                } else {
                    started = engine.start(display.program(spec), display.stdio(stdio));
                }
            } catch (RuntimeException e) {
                program.failed(e);
                closeWindow(window.join(), report);
                throw e;
            }
            program.started(started);
            try (Cell cell = started) {
                display.started();
                CellExit exit = cell.waitFor();
                closeWindow(window.join(), report);
                Harvest harvest = cell.harvest(staging, quota);
                return new WindowRun(cell.id(), exit, harvest, program.closedBecause());
            }
        }
    }

    /**
     * Opens the window on a thread of its own. Never fails: a window that cannot open ends the cell with the reason,
     * as a window the host closes does.
     */
    private static CompletableFuture<AutoCloseable> open(
            WindowPlace place, WindowPlace.Screen screen, WindowedCell program) {
        CompletableFuture<AutoCloseable> window = new CompletableFuture<>();
        Thread.ofPlatform().name("isola-window-open").start(() -> {
            try {
                window.complete(place.show(screen, program::running, program));
            } catch (Throwable e) {
                program.closed("its window could not be opened: " + e.getMessage());
                window.complete(() -> {});
            }
        });
        return window;
    }

    private static void closeWindow(AutoCloseable window, java.io.PrintStream report) {
        try {
            window.close();
        } catch (Exception e) {
            report.println("isola: the cell's window did not close cleanly: " + e.getMessage());
        }
    }
}
