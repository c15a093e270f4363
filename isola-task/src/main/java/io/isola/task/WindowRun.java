package io.isola.task;

import io.isola.core.Cell;
import io.isola.core.CellExit;
import io.isola.core.CellSpec;
import io.isola.core.Engine;
import io.isola.core.Harvest;
import io.isola.core.OutputQuota;
import io.isola.core.Stdio;
import io.isola.core.ViewEntry;
import io.isola.display.CellDisplay;
import io.isola.display.CellFrames;
import io.isola.display.CellWindow;
import io.isola.display.FrameException;
import io.isola.display.WindowLook;
import io.isola.linux.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one task's cell with a display of its own, shown in a host window, until the program ends or the window
 * closes (which kills the cell), then brings out what it left as {@link CellRun} does. The window's input goes to
 * the cell through a pipe on its standard input; its standard output and error are the caller's.
 *
 * @param closedBecause why the window ended the cell, or null when the program ended by itself
 */
public record WindowRun(String cellId, CellExit exit, Harvest harvest, String closedBecause) {
    /** The size of a cell's screen unless the caller asks for another: fits a 1366×768 laptop with a panel. */
    public static final int WIDTH = 1280, HEIGHT = 720;

    /** {@code spec} with the program run on a display of its own, whose screen directory is {@code display}'s. */
    public static CellSpec onDisplay(CellSpec spec, CellDisplay display) {
        List<ViewEntry> view = new ArrayList<>(spec.view());
        view.add(display.view());
        return new CellSpec(
                spec.engine(),
                spec.image(),
                display.wrap(spec.command()),
                spec.env(),
                view,
                spec.workdir(),
                spec.network(),
                spec.limits(),
                spec.files());
    }

    /** Fails early, in one line, where no window can be shown. */
    public static void checkDisplay() {
        String d = System.getenv("DISPLAY");
        if (d == null || d.isBlank() || java.awt.GraphicsEnvironment.isHeadless()) {
            throw new io.isola.core.IsolaException(
                    "a window needs your desktop's display: run it in your desktop session (DISPLAY is "
                            + (d == null || d.isBlank() ? "not set" : d + ", but Java runs headless") + ")",
                    2);
        }
        // The desktop toolkit takes a few hundred ms to start: let it do so while the cell and its display start
        Thread.ofPlatform().daemon().name("isola-awt-warmup").start(() -> {
            java.awt.Toolkit.getDefaultToolkit();
            javax.swing.UIManager.getLookAndFeel();
            io.isola.core.Trace.mark("desktop toolkit ready");
        });
    }

    static WindowRun run(
            Engine engine,
            CellSpec spec,
            CellDisplay display,
            WindowLook look,
            Stdio stdio,
            Path staging,
            OutputQuota quota,
            io.isola.core.audit.AuditLog audit,
            java.io.PrintStream report)
            throws InterruptedException, IOException {
        return run(engine, spec, display, look, stdio, staging, quota, audit, report, w -> {});
    }

    /** Also reports the window once shown, to {@code shown} (the benchmark counts its frames). */
    public static WindowRun run(
            Engine engine,
            CellSpec spec,
            CellDisplay display,
            WindowLook look,
            Stdio stdio,
            Path staging,
            OutputQuota quota,
            io.isola.core.audit.AuditLog audit,
            java.io.PrintStream report,
            java.util.function.Consumer<CellWindow> shown)
            throws InterruptedException, IOException {
        Files.createDirectories(staging);
        int[] pipe = Libc.pipe();
        Stdio withInput = new Stdio(Path.of("/proc/self/fd/" + pipe[0]), stdio.out(), stdio.err());
        AtomicReference<String> why = new AtomicReference<>();
        try (Cell cell = engine.start(onDisplay(spec, display), withInput)) {
            Libc.close(pipe[0]);
            pipe[0] = -1;
            CellWindow window = null;
            try {
                CellFrames frames = CellFrames.open(
                        display.screenFile(),
                        display.width(),
                        display.height(),
                        CellDisplay.START_TIMEOUT,
                        () -> running(cell));
                window = CellWindow.show(frames, pipe[1], look, display.copyFile(), new CellWindow.Listener() {
                    @Override
                    public void closed(String reason) {
                        why.set(reason);
                        cell.kill(reason);
                    }

                    @Override
                    public void clipboard(String direction, int bytes) {
                        audit.record(io.isola.core.audit.AuditEvent.of(
                                "clipboard.copied", cell.id(), "direction", direction, "bytes", bytes));
                    }

                    @Override
                    public void say(String line) {
                        report.println(io.isola.core.TerminalText.escape(line));
                    }
                });
                pipe[1] = -1; // the window owns it now
                shown.accept(window);
                io.isola.core.Trace.mark("cell window shown");
            } catch (FrameException e) {
                why.set(e.getMessage());
                cell.kill(e.getMessage());
            }
            CellExit exit = cell.waitFor();
            if (window != null) {
                window.close();
            }
            Harvest harvest = cell.harvest(staging, quota);
            return new WindowRun(cell.id(), exit, harvest, why.get());
        } finally {
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
        }
    }

    private static boolean running(Cell cell) {
        try {
            return cell.waitFor(Duration.ZERO).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
