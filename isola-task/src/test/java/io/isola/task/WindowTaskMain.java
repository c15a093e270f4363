package io.isola.task;

import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.OutputQuota;
import io.isola.core.Stdio;
import io.isola.display.WindowLook;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What the window tests run in a JVM of its own, because a JVM's display is fixed when AWT starts: the test starts
 * it with {@code DISPLAY} naming the test's own Xvfb. {@code open POLICY FILE}: {@code isola open --window FILE};
 * {@code run LABEL CMD...}: that command in a window titled with LABEL, on a 640×480 screen shown whole;
 * {@code desktop LABEL CMD...}: the same on a screen sized for the desktop, as {@code isola open --window} does;
 * {@code link POLICY PATH}: {@code isola open --window} of http://INTERNET-HOST/PATH, with {@link TestHosts} and
 * their proxy made in this JVM; it also prints the requests that host saw. {@code vm-run LABEL CMD...}: as run, in a
 * VM cell (the vm engine of {@link NetEngines}). It prints {@code code=N}, Isola's report and, for run, where the
 * cell's screen directory was.
 */
public final class WindowTaskMain {
    public static void main(String[] args) throws Exception {
        int code;
        try (TaskHarness h = new TaskHarness()) {
            // a test that SIGKILLs this JVM removes them itself (the harness's close never runs then)
            System.out.println("harness-dirs: " + h.state + " " + h.home);
            System.out.flush();
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
            } else if (args[0].equals("link")) {
                try (TestHosts hosts = TestHosts.create(h.audit)) {
                    if (hosts == null) {
                        System.out.println("no test hosts: needs root and iproute2");
                        System.exit(0);
                    }
                    h.networks = hosts.networks;
                    String url = "http://" + hosts.net.internet + args[2];
                    TaskHarness.Result r = h.run(
                            Files.readString(Path.of(args[1])) + "\n" + TestHosts.NETWORK,
                            (ctx, stdio) -> new LinkTask(ctx).window(url, stdio));
                    System.out.println(r.report());
                    hosts.internetWeb.requests.forEach(q -> System.out.println(
                            "host-saw: " + q.lines().findFirst().orElse("")));
                    h.auditLines().stream()
                            .filter(l -> l.contains("\"connection."))
                            .forEach(System.out::println);
                    code = r.code();
                }
            } else {
                String label = args[1];
                List<String> command = Arrays.asList(args).subList(2, args.length);
                // under the harness's state, which its close removes, also when the window's test kills the cell
                Path dir = Files.createTempDirectory(h.state, "window-run");
                io.isola.display.WindowSize size = args[0].equals("desktop")
                        ? io.isola.display.WindowSize.forDesktop()
                        : io.isola.display.WindowSize.fixed(640, 480);
                boolean vm = args[0].equals("vm-run");
                CellSpec spec = new CellSpec(
                        vm ? "vm" : "sandbox",
                        "host",
                        command,
                        CellEnvironment.build(Map.of(), List.of()),
                        List.of(),
                        null,
                        Network.NONE,
                        Limits.DEFAULT);
                WindowRun run = WindowRun.run(
                        vm ? NetEngines.engine("vm", h) : h.engine,
                        spec,
                        size,
                        Displays.atOnce(),
                        new WindowLook("untrusted", label),
                        WindowPlace.IN_THIS_PROCESS,
                        Stdio.INHERIT,
                        dir.resolve("out"),
                        OutputQuota.DEFAULT,
                        h.audit,
                        System.out,
                        null);
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
