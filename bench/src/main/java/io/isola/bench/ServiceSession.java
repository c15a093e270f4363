package io.isola.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A person's session as the README sets it up, under a HOME of its own: a real {@code isola daemon}, a session bus
 * (which starts Isola's agent at its first use) and {@code isola desktop install}, so that Isola is the desktop's
 * default for documents and links.
 */
final class ServiceSession implements AutoCloseable {
    final Path work;
    final Path socket;
    /** Where the bus, and so the agent it starts, writes: a handler's stdout in a cell the agent asked for lands here. */
    final Path busLog;

    private final Map<String, String> env = new HashMap<>();
    private Process daemon, bus;

    /**
     * @param display the session's DISPLAY (xdg-open asks a desktop entry only when there is one)
     * @param policyToml the policy everyone here uses, or null for the one Isola ships
     */
    ServiceSession(Path launcher, String display, String policyToml) throws Exception {
        work = Files.createTempDirectory("isola-bench-session");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        socket = work.resolve("isola.sock");
        busLog = work.resolve("session.log");
        Path home = Files.createDirectories(work.resolve("home"));
        Path runtime = Files.createDirectories(work.resolve("run"));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("HOME", home.toString());
        env.put("XDG_DATA_HOME", home.resolve(".local/share").toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        env.put("DISPLAY", display);
        env.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + runtime.resolve("bus"));
        env.put("ISOLA_SOCKET", socket.toString());
        if (policyToml != null) {
            env.put(
                    "ISOLA_POLICY",
                    Files.writeString(work.resolve("policy.toml"), policyToml).toString());
        }
        try {
            Map<String, String> daemonEnv = new HashMap<>(env);
            daemonEnv.put("ISOLA_STATE_DIR", work.resolve("state").toString());
            daemon = start(
                    List.of(launcher.toString(), "daemon", "--socket", socket.toString()),
                    daemonEnv,
                    work.resolve("daemon.log"));
            waitFor(() -> Files.readString(work.resolve("daemon.log")).contains("serving on"), daemon, "isola daemon");
            bus = start(
                    List.of("dbus-daemon", "--session", "--nofork", "--address=" + env.get("DBUS_SESSION_BUS_ADDRESS")),
                    env,
                    busLog);
            waitFor(() -> Files.exists(runtime.resolve("bus")), bus, "dbus-daemon");
            Map<String, String> installEnv = new HashMap<>(env);
            installEnv.put("ISOLA_STATE_DIR", work.resolve("install-state").toString());
            Processes.time(List.of(launcher.toString(), "desktop", "install"), installEnv);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** The session's environment, as a program the person starts there has it. */
    Map<String, String> env() {
        return new HashMap<>(env);
    }

    /** What the desktop entry's Exec line runs: a double-click, or xdg-open, with Isola the default. */
    Path launcherScript() {
        return Path.of(env.get("XDG_DATA_HOME"), "isola", "isola-open");
    }

    long daemonPid() {
        return daemon.pid();
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check c, Process p, String what) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.ok()) {
            if (!p.isAlive() || System.nanoTime() > until) {
                throw new IllegalStateException(what + " did not start");
            }
            Thread.sleep(20);
        }
    }

    private static Process start(List<String> cmd, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }

    @Override
    public void close() throws Exception {
        for (Process p : new Process[] {bus, daemon}) {
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroy); // the agent the bus started
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        io.isola.core.FileTrees.delete(work);
    }
}
