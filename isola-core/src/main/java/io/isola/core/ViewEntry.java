package io.isola.core;

import java.nio.file.Path;

/**
 * One host path that a cell may see besides its image: the file view is a list of these, and nothing else of the
 * host is visible.
 *
 * @param isolaOwn a folder Isola itself made and holds open for this cell (a window's screen folder), reached as
 *     {@code /proc/self/fd/N}: not the caller's file, so the checks of what a caller may show do not apply to it. Only
 *     {@link #heldOpen} makes one; whatever a caller names is not.
 */
public record ViewEntry(Path hostPath, Path cellPath, Access access, boolean isolaOwn) {
    public enum Access {
        READ_ONLY,
        READ_WRITE
    }

    public ViewEntry {
        if (!hostPath.isAbsolute() || !cellPath.isAbsolute()) {
            throw new IsolaException("view paths must be absolute: " + hostPath + " -> " + cellPath);
        }
        if (isolaOwn && !hostPath.getParent().equals(Path.of("/proc/self/fd"))) {
            throw new IllegalArgumentException("Isola's own folders are descriptors: " + hostPath);
        }
    }

    public ViewEntry(Path hostPath, Path cellPath, Access access) {
        this(hostPath, cellPath, access, false);
    }

    /** The folder open at descriptor {@code fd} of this process, read-write at {@code cellPath}. */
    public static ViewEntry heldOpen(int fd, Path cellPath) {
        return new ViewEntry(Path.of("/proc/self/fd/" + fd), cellPath, Access.READ_WRITE, true);
    }
}
