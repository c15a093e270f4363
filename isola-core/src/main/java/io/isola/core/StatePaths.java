package io.isola.core;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where Isola keeps state. Root uses /var/lib/isola; a user {@code $XDG_STATE_HOME/isola}. {@code ISOLA_STATE_DIR}
 * (or the CLI's --state-dir) overrides both, which is how tests keep to their own directory.
 */
public record StatePaths(Path root) {
    public static StatePaths fromEnvironment(Map<String, String> env, boolean isRoot) {
        String override = env.get("ISOLA_STATE_DIR");
        if (override != null && !override.isBlank()) {
            return new StatePaths(Path.of(override).toAbsolutePath());
        }
        if (isRoot) {
            return new StatePaths(Path.of("/var/lib/isola"));
        }
        String xdg = env.get("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(env.getOrDefault("HOME", "/tmp"), ".local/state");
        return new StatePaths(base.resolve("isola"));
    }

    public Path auditLog() {
        return root.resolve("audit.jsonl");
    }

    /** Empty mount point for the engine's private tmpfs; nothing is ever written to it on the host. */
    public Path runDir() {
        return root.resolve("run");
    }

    /** Directory images: {@code images/NAME/} is a root filesystem. */
    public Path images() {
        return root.resolve("images");
    }
}
