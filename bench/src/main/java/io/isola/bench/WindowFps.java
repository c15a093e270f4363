package io.isola.bench;

import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.OutputQuota;
import io.isola.core.StatePaths;
import io.isola.core.Stdio;
import io.isola.core.audit.AuditLog;
import io.isola.display.CellDisplay;
import io.isola.display.CellWindow;
import io.isola.display.WindowLook;
import io.isola.sandbox.SandboxEngine;
import io.isola.sandbox.SandboxOptions;
import io.isola.task.WindowRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Full-window redraws per second: a cell rewrites every pixel of its 1280×800 screen without pause, and this
 * counts how often Isola's window on the host display draws it. Runs in a JVM of its own, started by
 * {@link WindowBench} with {@code DISPLAY} naming the benchmark's Xvfb (a JVM's display is fixed when AWT starts).
 * Prints {@code fps=N}.
 */
public final class WindowFps {
    static final int W = 1280, H = 800;

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        double seconds = Double.parseDouble(args[1]);
        Path dir = Files.createTempDirectory(state, "window-fps");
        StatePaths paths = new StatePaths(state);
        String screen = CellDisplay.CELL_DIR + "/Xvfb_screen0";
        int bytes = W * H * 4 - 8192;
        // two full screens of different content, written in turn past the header (8 KiB covers it and the colormap)
        String script = "head -c " + bytes + " /dev/urandom > /tmp/a; head -c " + bytes + " /dev/zero > /tmp/b; "
                + "while :; do for f in /tmp/a /tmp/b; do dd if=$f of=" + screen + " bs=" + bytes
                + " seek=8192 oflag=seek_bytes conv=notrunc 2>/dev/null; done; done";
        AtomicReference<String> result = new AtomicReference<>("fps=0 (the window never showed)");
        try (AuditLog audit = AuditLog.open(paths.auditLog());
                SandboxEngine engine = new SandboxEngine(SandboxOptions.fromEnvironment(paths, Map.of()), audit)) {
            CellSpec spec = new CellSpec(
                    SandboxEngine.NAME,
                    "host",
                    List.of("/bin/sh", "-c", script),
                    CellEnvironment.build(Map.of(), List.of()),
                    List.of(),
                    null,
                    Network.NONE,
                    Limits.DEFAULT);
            WindowRun.run(
                    engine,
                    spec,
                    io.isola.display.WindowSize.fixed(W, H),
                    new WindowLook("untrusted", "full-window redraws"),
                    Stdio.INHERIT,
                    dir.resolve("out"),
                    OutputQuota.DEFAULT,
                    audit,
                    System.err,
                    w -> Thread.ofPlatform().start(() -> measure(w, seconds, result)));
        }
        System.out.println(result.get());
        System.exit(0);
    }

    private static void measure(CellWindow w, double seconds, AtomicReference<String> result) {
        try {
            Thread.sleep(2000); // the cell's writer gets going
            long p0 = w.paints(), t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long p1 = w.paints(), t1 = System.nanoTime();
            result.set(String.format("fps=%.1f", (p1 - p0) / ((t1 - t0) / 1e9)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            w.closeCell();
        }
    }
}
