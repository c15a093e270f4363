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

    private static final String FD = "/proc/self/fd/";

    /**
     * Descriptors this process holds for someone else's streams (the service receives its client's): an engine uses
     * them as they are, never reopening them by name, so a terminal stays the same terminal, an appending file keeps
     * appending and a socket works.
     */
    public static Stdio descriptors(int in, int out, int err) {
        return new Stdio(Path.of(FD + in), Path.of(FD + out), Path.of(FD + err));
    }

    /** The descriptor that {@code p} stands for when it came from {@link #descriptors}, else -1. */
    public static int descriptor(Path p) {
        String s = p == null ? "" : p.toString();
        if (!s.startsWith(FD)) {
            return -1;
        }
        try {
            return Integer.parseInt(s.substring(FD.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
