package io.isola.desktop;

import io.isola.core.IsolaException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where {@code isola desktop install} writes, by the XDG base directories: for one person ({@code --user}) their
 * data, config and state homes; for everyone ({@code --system}) the first of XDG_DATA_DIRS and XDG_CONFIG_DIRS
 * ({@code /usr/local/share}, {@code /etc/xdg}) and {@code /var/lib/isola}. ISOLA_STATE_DIR overrides the state.
 */
public record DesktopPaths(boolean system, Path data, Path config, Path state) {
    public static final String ID = "io.isola.Isola";

    public static DesktopPaths of(Map<String, String> env, boolean system) {
        if (system) {
            return new DesktopPaths(
                    true,
                    first(env.get("XDG_DATA_DIRS"), "/usr/local/share"),
                    first(env.get("XDG_CONFIG_DIRS"), "/etc/xdg"),
                    state(env, Path.of("/var/lib/isola")));
        }
        String home = env.get("HOME");
        Path data = base(env, "XDG_DATA_HOME", home, ".local/share");
        Path config = base(env, "XDG_CONFIG_HOME", home, ".config");
        Path state =
                state(env, base(env, "XDG_STATE_HOME", home, ".local/state").resolve("isola"));
        return new DesktopPaths(false, data, config, state);
    }

    /** The desktop entry; its file name is its D-Bus name, as DBusActivatable requires. */
    public Path entry() {
        return data.resolve("applications").resolve(ID + ".desktop");
    }

    /** Where the session bus finds how to start the agent when the entry is activated. */
    public Path busService() {
        return data.resolve("dbus-1/services").resolve(ID + ".service");
    }

    /** The small shell launcher the entry's Exec runs. */
    public Path launcher() {
        return data.resolve("isola/isola-open");
    }

    /**
     * The XDG autostart entry that starts the agent when the person logs in, so that their first click does not
     * wait for a JVM and a desktop toolkit to start.
     */
    public Path autostart() {
        return config.resolve("autostart").resolve(ID + ".Agent.desktop");
    }

    public Path mimeapps() {
        return config.resolve("mimeapps.list");
    }

    /** What install changed and what it replaced, so that uninstall puts it back. */
    public Path record() {
        return state.resolve("desktop-install.properties");
    }

    public String scope() {
        return system ? "--system" : "--user";
    }

    private static Path base(Map<String, String> env, String var, String home, String under) {
        String v = env.get(var);
        if (v != null && Path.of(v).isAbsolute()) {
            return Path.of(v);
        }
        if (home == null || home.isEmpty() || !Path.of(home).isAbsolute()) {
            throw new IsolaException(
                    "neither " + var + " nor HOME names an absolute directory: set HOME (or " + var + ") and try again",
                    2);
        }
        return Path.of(home).resolve(under);
    }

    private static Path state(Map<String, String> env, Path otherwise) {
        String s = env.get("ISOLA_STATE_DIR");
        return s != null && Path.of(s).isAbsolute() ? Path.of(s) : otherwise;
    }

    private static Path first(String dirs, String otherwise) {
        if (dirs != null) {
            for (String d : dirs.split(":")) {
                if (!d.isEmpty() && Path.of(d).isAbsolute()) {
                    return Path.of(d);
                }
            }
        }
        return Path.of(otherwise);
    }
}
