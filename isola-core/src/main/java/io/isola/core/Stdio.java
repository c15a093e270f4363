package io.isola.core;

import java.nio.file.Path;

/**
 * Where a cell's standard streams go. {@code null} paths mean "inherit the caller's stream": a terminal user sees
 * the task as if it ran directly.
 */
public record Stdio(Path in, Path out, Path err) {
    public static final Stdio INHERIT = new Stdio(null, null, null);

    public static Stdio files(Path in, Path out, Path err) {
        return new Stdio(in, out, err);
    }
}
