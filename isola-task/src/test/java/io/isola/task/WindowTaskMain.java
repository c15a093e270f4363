package io.isola.task;

import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.OutputQuota;
import io.isola.core.Stdio;
import io.isola.display.CellDisplay;
import io.isola.display.WindowLook;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What the window tests run in a JVM of its own, because a JVM's display is fixed when AWT starts: the test starts
 * it with {@code DISPLAY} naming the test's own Xvfb. {@code open POLICY FILE}: {@code isola open --window FILE};
 * {@code run LABEL CMD...}: that command in a window titled with LABEL. It prints {@code code=N}, Isola's report and, for run, where the
 * cell's screen directory was.
 */
public final class WindowTaskMain {
    public static void main(String[] args) throws Exception {
        int code;
        try (TaskHarness h = new TaskHarness()) {
            if (args[0].equals("open")) {
                TaskHarness.Result r = h.run(
                        Files.readString(Path.of(args[1])),
                        (ctx, stdio) -> new OpenTask(ctx).run(Path.of(args[2]), stdio, true));
                System.out.println(r.report());
                System.out.println("cell-out: " + r.out().strip());
                System.out.println("cell-err: " + r.err().strip());
                h.auditLines().stream()
                        .filter(l -> l.contains("\"event\":\"clipboard"))
                        .forEach(System.out::println);
                if (Files.isDirectory(h.quarantine())) {
                    try (var kept = Files.walk(h.quarantine())) {
                        for (Path f : kept.filter(Files::isRegularFile).toList()) {
                            System.out.println("kept-file " + f.getFileName() + ": "
                                    + Files.readString(f).replace("\n", "\\n"));
                        }
                    }
                }
                code = r.code();
            } else {
                String label = args[1];
                List<String> command = Arrays.asList(args).subList(2, args.length);
                Path dir = Files.createTempDirectory("isola-window-run");
                CellDisplay display = CellDisplay.prepare(dir, 640, 480);
                CellSpec spec = new CellSpec(
                        "sandbox",
                        "host",
                        command,
                        CellEnvironment.build(Map.of(), List.of()),
                        List.of(),
                        null,
                        Network.NONE,
                        Limits.DEFAULT);
                WindowRun run = WindowRun.run(
                        h.engine,
                        spec,
                        display,
                        new WindowLook("untrusted", label),
                        Stdio.INHERIT,
                        dir.resolve("out"),
                        OutputQuota.DEFAULT,
                        h.audit,
                        System.out);
                TaskDirs.delete(dir);
                System.out.println("closed: " + run.closedBecause());
                h.auditLines().stream()
                        .filter(l -> l.contains("\"event\":\"clipboard"))
                        .forEach(System.out::println);
                code = run.exit().exitCode();
            }
        }
        System.out.println("code=" + code);
        System.out.flush();
        System.exit(0);
    }
}
