package io.isola.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The always-on path, measured from a shell: a real {@code isola daemon}, and the desktop as xdg-utils drives it. The
 * same PDF is opened with {@code xdg-open} twice per round, once with Isola as its default application (the
 * launcher, the session bus, the agent, the daemon, a cell) and once with a host handler; each handler prints the
 * wall clock it started at. Beside them, {@code isola open} and {@code isola run} through the daemon and in process.
 */
final class DesktopBench implements AutoCloseable {
    private static final String STAMP = "/bin/date +%s%N";
    private final Bench.Config config;
    private final Report report;
    private final ServiceSession session;
    private final Path work, hostLog;

    DesktopBench(Bench.Config config, Report report) throws Exception {
        this.config = config;
        this.report = report;
        // DISPLAY: xdg-open asks a desktop entry only when there is a display; nothing draws here
        session = new ServiceSession(config.launcher(), ":0", """
                version = 1
                [level.untrusted.handlers]
                "*" = ["/bin/date", "+%s%N"]
                # the handler above is what is timed, not a viewer's window (the windows part times those)
                [level.untrusted.window-handlers]
                """);
        work = session.work;
        hostLog = Files.createFile(work.resolve("host-handler.log"));
    }

    void run() throws Exception {
        Map<String, String> base = session.env();
        Path busLog = session.busLog;
        Path home = Path.of(base.get("HOME"));
        String isola = config.launcher().toString();
        // The host handler, the default for the same file when XDG_CONFIG_HOME is the other one
        Path handler =
                Files.writeString(work.resolve("host-handler"), "#!/bin/sh\nexec " + STAMP + " >> " + hostLog + "\n");
        Files.setPosixFilePermissions(handler, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(
                home.resolve(".local/share/applications/bench-host.desktop"),
                "[Desktop Entry]\nType=Application\nName=bench host handler\nExec=" + handler + " %f\n");
        Path hostConfig = Files.createDirectories(work.resolve("host-config"));
        Files.writeString(
                hostConfig.resolve("mimeapps.list"), "[Default Applications]\napplication/pdf=bench-host.desktop;\n");
        Map<String, String> hostEnv = new HashMap<>(base);
        hostEnv.put("XDG_CONFIG_HOME", hostConfig.toString());

        Path pdf = SamplePdf.write(work.resolve("report.pdf"), 1);
        Path txt = Files.writeString(work.resolve("doc.txt"), "a document\n");
        List<String> xdgOpen = List.of("/usr/bin/xdg-open", pdf.toString());
        int n = config.slowRuns();
        long[] host = new long[n], cell = new long[n];
        long[] open = new long[n], openIn = new long[n], run = new long[n], runIn = new long[n], bwrap = new long[n];
        long[] openJvm = new long[n], runJvm = new long[n];
        // the terminal's rows: a shell without a desktop (with one, an open would measure the desktop and show a
        // window)
        Map<String, String> terminal = new HashMap<>(base);
        terminal.remove("DISPLAY");
        Map<String, String> inProcess = new HashMap<>(terminal);
        inProcess.remove("ISOLA_SOCKET");
        inProcess.put("ISOLA_STATE_DIR", work.resolve("in-process-state").toString());
        // the launcher hands the plain forms to the service without a JVM (bin/service-call); beside it, the JVM client
        Map<String, String> jvmClient = new HashMap<>(terminal);
        jvmClient.put("ISOLA_NO_QUICK", "1");
        List<String> openCmd = List.of(isola, "open", txt.toString());
        List<String> runCmd = List.of(isola, "run", "--", "/bin/true");
        List<String> runNoDaemon = List.of(isola, "run", "--no-daemon", "--", "/bin/true");
        // warm-up: the bus starts the agent (a JVM) at the first open; the page cache and the daemon's JIT
        for (int i = 0; i < 3; i++) {
            stamped(xdgOpen, base, busLog);
            stamped(xdgOpen, hostEnv, hostLog);
            stamped(openCmd, terminal, null);
            Processes.time(runCmd, terminal);
        }
        for (int i = 0; i < n; i++) {
            host[i] = stamped(xdgOpen, hostEnv, hostLog);
            cell[i] = stamped(xdgOpen, base, busLog);
            open[i] = stamped(openCmd, terminal, null);
            openIn[i] = stamped(openCmd, inProcess, null);
            openJvm[i] = stamped(openCmd, jvmClient, null);
            run[i] = Processes.time(runCmd, terminal);
            runJvm[i] = Processes.time(runCmd, jvmClient);
            runIn[i] = Processes.time(runNoDaemon, inProcess);
            bwrap[i] = Processes.time(Peers.plainBwrap(), Map.of());
        }
        report.section("The desktop: xdg-open of a PDF to its handler running (" + n + " runs, interleaved)", "host");
        Stats hostRow =
                new Stats("xdg-open, a host handler (/bin/date)", Peers.shell(xdgOpen) + " (bench-host.desktop)", host);
        report.row(hostRow, hostRow);
        Stats cellRow = new Stats(
                "xdg-open, Isola the default: the handler in a cell",
                Peers.shell(xdgOpen) + " (io.isola.Isola.desktop: sh + dbus-send, agent, daemon, cell)",
                cell);
        report.row(cellRow, hostRow);
        report.target(
                "desktop path: xdg-open to the handler in its cell, median <= 1.5x xdg-open with a host handler",
                cellRow.medianMs() / hostRow.medianMs(),
                1.5,
                "x");
        report.section(
                "Through the Isola service (isola daemon) and in process (" + n + " runs, interleaved)", "plain bwrap");
        Stats bw = new Stats("plain bwrap, same namespaces", Peers.shell(Peers.plainBwrap()), bwrap);
        report.row(bw, bw);
        Stats runRow = new Stats("isola run -- /bin/true, through the daemon", Peers.shell(runCmd), run);
        report.row(runRow, bw);
        report.row(
                new Stats(
                        "isola run -- /bin/true, through the daemon, the JVM client",
                        "ISOLA_NO_QUICK=1 " + Peers.shell(runCmd),
                        runJvm),
                bw);
        report.row(new Stats("isola run -- /bin/true, in process", Peers.shell(runNoDaemon), runIn), bw);
        report.target("isola run -- /bin/true through the daemon, median <= 100 ms", runRow.medianMs(), 100, "ms");
        Stats openRow =
                new Stats("isola open doc.txt to its handler running, through the daemon", Peers.shell(openCmd), open);
        report.row(openRow, bw);
        report.row(
                new Stats(
                        "isola open doc.txt to its handler running, through the daemon, the JVM client",
                        "ISOLA_NO_QUICK=1 " + Peers.shell(openCmd),
                        openJvm),
                bw);
        report.row(
                new Stats("isola open doc.txt to its handler running, in process", Peers.shell(openCmd), openIn), bw);
        report.target("isola open to its handler through the daemon, median <= 150 ms", openRow.medianMs(), 150, "ms");
        long rss = rss(session.daemonPid());
        report.memory(
                "idle isola daemon (root's pool of 2 prepared cells)",
                rss / 1048576.0,
                "VmRSS of the daemon's JVM after the runs above");
    }

    /**
     * Nanoseconds from spawning {@code argv} to the clock its handler printed: into {@code log} (a new last line) or,
     * when null, on the command's own stdout.
     */
    private long stamped(List<String> argv, Map<String, String> env, Path log) throws Exception {
        long before = log == null ? 0 : Files.size(log);
        Path out = work.resolve("stdout");
        long t0 = Processes.spawnedAt(argv, env, out);
        Path from = log == null ? out : log;
        long printed = -1;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (printed < 0) {
            String text = Files.readString(from);
            for (String line :
                    text.substring((int) Math.min(before, text.length())).split("\n")) {
                if (line.matches("\\d{19}")) {
                    printed = Long.parseLong(line);
                }
            }
            if (printed < 0) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("no handler ran for " + String.join(" ", argv) + " in 30 s");
                }
                Thread.sleep(2);
            }
        }
        Thread.sleep(100); // the request ends (cell closed, reply sent) before the next one starts
        return printed - t0;
    }

    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }

    @Override
    public void close() throws Exception {
        session.close();
    }
}
