package io.isola.task;

import io.isola.core.Host;
import io.isola.linux.Libc;
import io.isola.linux.Spawn;
import io.isola.linux.ThreadCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Shows a result in the person's own viewer: {@code xdg-open FILE}, started as them. Under sudo Isola is root, but a
 * viewer is the person's program on their desktop: it runs with their uid, gid and groups (a thread that drops to
 * them for good starts it, so it never holds root's rights), their home and their session's variables, never as
 * root. Without a display there is nothing to show it on, and the person is told where the file is instead.
 */
public final class CallerDesktop {
    /** The session's variables a desktop opener needs; nothing else of Isola's environment passes. */
    private static final List<String> SESSION = List.of(
            "DISPLAY",
            "WAYLAND_DISPLAY",
            "XAUTHORITY",
            "DBUS_SESSION_BUS_ADDRESS",
            "XDG_RUNTIME_DIR",
            "XDG_CURRENT_DESKTOP",
            "XDG_SESSION_TYPE",
            "XDG_SESSION_DESKTOP",
            "DESKTOP_SESSION",
            "XDG_DATA_DIRS",
            "XDG_CONFIG_DIRS",
            "LANG",
            "LANGUAGE",
            "LC_ALL",
            "BROWSER");
    /** How long to wait for xdg-open to say whether it managed: openers hand the file to a viewer and return. */
    private static final long WAIT_MILLIS = 5_000;

    private CallerDesktop() {}

    /** Opens {@code file} in the caller's viewer when they have a display; returns what was done, for one line. */
    public static String open(Map<String, String> env, Path file) throws InterruptedException {
        if (blank(env.get("DISPLAY")) && blank(env.get("WAYLAND_DISPLAY"))) {
            return "no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so nothing was opened: open " + file
                    + " in your viewer yourself";
        }
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        Path opener = null;
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "xdg-open").toAbsolutePath();
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                opener = p;
                break;
            }
        }
        if (opener == null) {
            return "xdg-open is not installed (apt-get install xdg-utils), so nothing was opened: open " + file
                    + " in your viewer yourself";
        }
        String user = env.get("SUDO_USER");
        int[] ids = Host.invokingIds(env);
        boolean stepDown = user != null && ids[0] != 0;
        Spawn spawn = Spawn.of(List.of(opener.toString(), file.toString()))
                .openReadOnly(0, "/dev/null")
                .directory("/");
        sessionEnv(env, ids[0], stepDown ? user : null).forEach(spawn::env);
        CompletableFuture<Integer> started = new CompletableFuture<>();
        Thread.ofPlatform().name("isola-open-as-caller").start(() -> {
            try {
                if (stepDown) {
                    ThreadCredentials.dropTo(ids[0], ids[1], Host.groupsOf(user, ids[1]));
                }
                started.complete(spawn.start());
            } catch (Throwable e) {
                started.completeExceptionally(e);
            }
        });
        String as = stepDown ? " as " + user : "";
        int pid;
        try {
            pid = started.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return "could not start " + opener + as + " (" + e.getCause().getMessage() + "): open " + file
                    + " in your viewer yourself";
        }
        for (long waited = 0; waited < WAIT_MILLIS; waited += 50) {
            int status = Libc.waitpid(pid, Libc.WNOHANG);
            if (status != -1) {
                int code = Libc.exitCode(status);
                return code == 0
                        ? "opened " + file + " with xdg-open" + as
                        : "xdg-open" + as + " failed (exit code " + code + "): open " + file
                                + " in your viewer yourself";
            }
            Thread.sleep(50);
        }
        return "asked xdg-open" + as + " to open " + file + " (it is still running)";
    }

    /** The caller's session: theirs from Isola's environment, their home, and the per-user places when they exist. */
    private static Map<String, String> sessionEnv(Map<String, String> env, int uid, String user) {
        Map<String, String> out = new TreeMap<>();
        out.put("PATH", env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        for (String name : SESSION) {
            if (!blank(env.get(name))) {
                out.put(name, env.get(name));
            }
        }
        out.put("HOME", Host.invokingHome(env).toString());
        if (user != null) {
            out.put("USER", user);
            out.put("LOGNAME", user);
        }
        Path runtime = Path.of("/run/user/" + uid);
        // under sudo, a runtime directory that came along is root's: the caller's own is the one their session uses
        if ((user != null || !out.containsKey("XDG_RUNTIME_DIR")) && Files.isDirectory(runtime)) {
            out.put("XDG_RUNTIME_DIR", runtime.toString());
        }
        if (!out.containsKey("DBUS_SESSION_BUS_ADDRESS") && Files.exists(runtime.resolve("bus"))) {
            out.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + runtime.resolve("bus"));
        }
        return out;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
