package io.isola.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The minimal, explicit environment of a task. Nothing of the caller's environment passes unless named: variables
 * such as DBUS_SESSION_BUS_ADDRESS, DISPLAY, SSH_AUTH_SOCK or tokens would otherwise point the task at host IPC or
 * hand it secrets.
 */
public final class CellEnvironment {
    public static final String HOME = "/home/user";

    private CellEnvironment() {}

    /**
     * @param caller the caller's environment
     * @param requested {@code NAME} to copy from the caller, or {@code NAME=VALUE} to set
     */
    public static Map<String, String> build(Map<String, String> caller, List<String> requested) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin");
        env.put("HOME", HOME);
        env.put("USER", "user");
        env.put("LOGNAME", "user");
        env.put("SHELL", "/bin/sh");
        env.put("TMPDIR", "/tmp");
        env.put("LANG", caller.getOrDefault("LANG", "C.UTF-8"));
        copy(caller, env, "TERM");
        copy(caller, env, "TZ");
        copy(caller, env, "COLUMNS");
        copy(caller, env, "LINES");
        for (String r : requested) {
            int eq = r.indexOf('=');
            String name = eq < 0 ? r : r.substring(0, eq);
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IsolaException("bad --env " + r + ": use NAME or NAME=VALUE", 2);
            }
            if (eq >= 0) {
                env.put(name, r.substring(eq + 1));
            } else if (caller.containsKey(name)) {
                env.put(name, caller.get(name));
            }
        }
        return env;
    }

    /** What the proxy variables of a cell that reaches out point at: its own loopback, where its engine listens. */
    public static final String PROXY_URL = "http://127.0.0.1:" + Network.PROXY_PORT;
    /** Loopback stays the cell's own; nothing there goes through the proxy. */
    public static final String NO_PROXY = "localhost,127.0.0.1,::1";

    /**
     * {@code env} with the proxy settings of {@code network}: for a cell that reaches out, the variables that curl,
     * wget, Python, Go, Node and most other clients read, upper and lower case, pointing at the cell's proxy address;
     * for a cell that does not, {@code env} unchanged (there is no proxy to point at). Engines call this when they
     * start the task, so that the settings always match the address they listen on, whoever built the spec; they
     * replace any value the caller gave, since no other address leads out of a cell.
     */
    public static Map<String, String> withNetwork(Map<String, String> env, Network network) {
        if (!network.reachesOut()) {
            return env;
        }
        Map<String, String> with = new LinkedHashMap<>(env);
        for (String name : List.of("http_proxy", "https_proxy", "all_proxy")) {
            with.put(name, PROXY_URL);
            with.put(name.toUpperCase(java.util.Locale.ROOT), PROXY_URL);
        }
        with.put("no_proxy", NO_PROXY);
        with.put("NO_PROXY", NO_PROXY);
        return with;
    }

    private static void copy(Map<String, String> from, Map<String, String> to, String name) {
        String v = from.get(name);
        if (v != null) {
            to.put(name, v);
        }
    }
}
