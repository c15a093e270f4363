package io.isola.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the service listens: {@code /run/isola/isola.sock} for the system's (root's) daemon, which serves every
 * user, and {@code $XDG_RUNTIME_DIR/isola.sock} for a user's own; {@code ISOLA_SOCKET} names another (tests).
 */
public final class ServicePaths {
    public static final String SYSTEM = "/run/isola/isola.sock";

    private ServicePaths() {}

    /** Where a daemon started with this environment listens, unless told otherwise. */
    public static String listenAt(Map<String, String> env, boolean root) {
        String explicit = env.get("ISOLA_SOCKET");
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (!root && runtime != null && !runtime.isBlank()) {
            return runtime + "/isola.sock";
        }
        return SYSTEM;
    }

    /**
     * Where a client looks, in order: the named socket alone, or the user's own daemon and then the system's. An
     * explicit state directory ({@code ISOLA_STATE_DIR}) without a named socket means "this state, in process".
     */
    public static List<String> candidates(Map<String, String> env, boolean root) {
        String explicit = env.get("ISOLA_SOCKET");
        if (explicit != null && !explicit.isBlank()) {
            return List.of(explicit);
        }
        if (env.get("ISOLA_STATE_DIR") != null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (!root && runtime != null && !runtime.isBlank()) {
            out.add(runtime + "/isola.sock");
        }
        out.add(SYSTEM);
        return out;
    }
}
