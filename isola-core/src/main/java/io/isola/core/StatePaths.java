package io.isola.core;

import java.io.IOException;
import java.nio.file.Files;
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
        Path base = xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", "/tmp"), ".local/state");
        return new StatePaths(base.resolve("isola"));
    }

    private static final String WHAT_TO_DO =
            "set XDG_STATE_HOME or ISOLA_STATE_DIR to a folder you can write, or " + "run isola as root";

    /**
     * The state folder, made if it is missing. A plain user's first command lands here (a home without
     * ~/.local/state, a shared folder of root's): when the folder cannot be made or written, the one line says so
     * and what to do, instead of the first file inside failing with a bare path.
     */
    public Path create() {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new IsolaException(
                    "cannot create the state folder " + root + " (" + IoReason.of(e) + "): " + WHAT_TO_DO);
        }
        if (!Files.isWritable(root)) {
            throw new IsolaException("cannot write the state folder " + root + " (Permission denied): " + WHAT_TO_DO);
        }
        return root;
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
