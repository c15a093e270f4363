package io.isola.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A person's desktop session for the tests, made of the real programs: an X display (Xvfb) on a free number, a
 * session bus of its own ({@code dbus-daemon --session}, which D-Bus-activates Isola's agent and the notification
 * server dunst from their service files), and {@code dbus-monitor} writing down every Notify call. HOME and the XDG
 * directories are the test's.
 */
final class DesktopSession implements AutoCloseable {
    final Path dir, home, runtime, monitorLog, busLog;
    final Map<String, String> env = new HashMap<>();
    /** The session's screen: room for a cell's window (1280×720 and Isola's border) with space around it. */
    static final int WIDTH = 1600, HEIGHT = 1000;

    private final Path fbdir;
    private Process xvfb, bus, monitor;
    /** What the person's programs run under: nothing for root, setpriv for another user. */
    private final List<String> as;

    DesktopSession(Path dir, Map<String, String> extra) throws Exception {
        this(dir, extra, List.of(), -1);
    }

    /** A session of the user {@code uid} (-1: this process's), whose programs all run under {@code as}. */
    DesktopSession(Path dir, Map<String, String> extra, List<String> as, int uid) throws Exception {
        this.dir = dir;
        this.as = List.copyOf(as);
        home = Files.createDirectories(dir.resolve("home"));
        runtime = Files.createDirectories(dir.resolve("run"));
        Files.setPosixFilePermissions(runtime, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        if (uid >= 0) {
            for (Path p : List.of(home, runtime)) {
                Files.setAttribute(p, "unix:uid", uid);
                Files.setAttribute(p, "unix:gid", uid);
            }
        }
        monitorLog = dir.resolve("notify.log");
        busLog = dir.resolve("bus.log");
        int display = freeDisplay();
        fbdir = Files.createDirectories(dir.resolve("screen"));
        xvfb = new ProcessBuilder(
                        "Xvfb",
                        ":" + display,
                        "-nolisten",
                        "tcp",
                        // A person's desktop always has clients (its window manager, its panel); this one has none
                        // between the test's own xdotool calls, and an Xvfb whose last client left resets itself:
                        // a client that connected meanwhile was refused ("Can't connect to X11 window server"), and
                        // 1 run in 5 of ServiceWindowTest opened with no window.
                        "-noreset",
                        "-screen",
                        "0",
                        WIDTH + "x" + HEIGHT + "x24",
                        "-fbdir",
                        fbdir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("xvfb.log").toFile())
                .start();
        waitFor(Path.of("/tmp/.X11-unix/X" + display), xvfb);
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("HOME", home.toString());
        env.put("XDG_DATA_HOME", home.resolve(".local/share").toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("XDG_STATE_HOME", home.resolve(".local/state").toString());
        env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        env.put("DISPLAY", ":" + display);
        env.put("LANG", "C.UTF-8");
        Path socket = runtime.resolve("bus");
        env.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + socket);
        // the bus hands its environment to what it activates: the agent finds the service through ISOLA_SOCKET
        Map<String, String> busEnv = new HashMap<>(env);
        busEnv.putAll(extra);
        bus = start(List.of("dbus-daemon", "--session", "--nofork", "--address=unix:path=" + socket), busEnv, busLog);
        waitFor(socket, bus);
        monitor = start(
                List.of("dbus-monitor", "--session", "interface='org.freedesktop.Notifications',member='Notify'"),
                env,
                monitorLog);
        waitUntil(() -> Files.readString(busLog).contains("became a monitor"), 60, "dbus-monitor did not start");
    }

    ProcessBuilder builder(List<String> command) {
        List<String> all = new java.util.ArrayList<>(as);
        all.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(all).directory(home.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }

    /** Runs a program of the session to its end: its exit code and everything it printed. */
    Cli.Result run(String... command) throws Exception {
        Path out = Files.createTempFile(dir, "out", ""), err = Files.createTempFile(dir, "err", "");
        Process p = builder(List.of(command))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " hung");
        }
        return new Cli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The whole screen now, 0xRRGGBB by row, as the session's Xvfb keeps it ({@code -fbdir}). */
    int[] screen() throws InterruptedException {
        try (var f = io.isola.display.CellFrames.open(
                fbdir.resolve("Xvfb_screen0"), WIDTH, HEIGHT, java.time.Duration.ofSeconds(5), () -> true)) {
            f.read();
            return f.pixels().clone();
        }
    }

    /**
     * The top-left corner of an Isola window's border of {@code level}'s colour on the screen, or null; also null
     * while the window still says that its cell is starting (before the cell's first frame).
     */
    int[] border(String level) throws InterruptedException {
        return io.isola.display.WindowsOnScreen.showingCell(this::screen, WIDTH, level);
    }

    /** Closes the Isola window of {@code level} as a person does: the pointer over it, then its Ctrl+Shift+W. */
    void closeWindow(String level) throws Exception {
        int[][] at = {null};
        waitUntil(() -> (at[0] = border(level)) != null, 30, "no " + level + " window on the screen");
        xdotool("mousemove", "" + (at[0][0] + 200), "" + (at[0][1] + 200));
        xdotool("key", "--clearmodifiers", "ctrl+shift+w");
    }

    /** Runs xdotool on the session's display, as root, and returns what it printed. */
    String xdotool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("xdotool"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DISPLAY", env.get("DISPLAY"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    /** The Notify calls the session's notification server received, as dbus-monitor printed them. */
    String notifications() throws Exception {
        return Files.readString(monitorLog);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitUntil(Check check, int seconds, String what) throws Exception {
        waitUntil(check, seconds, () -> what);
    }

    /** What a failed wait says, read when it failed: a log read before the wait would be read too early. */
    interface Why {
        String text() throws Exception;
    }

    static void waitUntil(Check check, int seconds, Why why) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!check.ok()) {
            if (System.nanoTime() > until) {
                throw new AssertionError(why.text());
            }
            Thread.sleep(50);
        }
    }

    private Process start(List<String> command, Map<String, String> env, Path log) throws Exception {
        List<String> all = new java.util.ArrayList<>(as);
        all.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(all)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits until {@code owner} (an X server, a bus) has made {@code path}, its socket; fails when it died. */
    static void waitFor(Path path, Process owner) throws Exception {
        waitUntil(() -> Files.exists(path) || !owner.isAlive(), 20, path + " did not appear");
        if (!owner.isAlive()) {
            throw new AssertionError(owner.info().command().orElse("?") + " died at start");
        }
    }

    /** An X display number no server holds (no socket, no lock file). */
    static int freeDisplay() {
        for (int n = 140 + (int) (ProcessHandle.current().pid() % 50); n < 400; n++) {
            if (!Files.exists(Path.of("/tmp/.X11-unix/X" + n)) && !Files.exists(Path.of("/tmp/.X" + n + "-lock"))) {
                return n;
            }
        }
        throw new AssertionError("no free X display number");
    }

    @Override
    public void close() throws Exception {
        for (Process p : new Process[] {monitor, bus, xvfb}) {
            if (p == null) {
                continue;
            }
            // what the bus activated (the agent, dunst) goes first: nothing of the session outlives it
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }
}
