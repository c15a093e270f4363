package io.isola.core;

import java.nio.file.Path;

/**
 * One host path that a cell may see besides its image: the file view is a list of these, and nothing else of the
 * host is visible.
 */
public record ViewEntry(Path hostPath, Path cellPath, Access access) {
    public enum Access {
        READ_ONLY,
        READ_WRITE
    }

    public ViewEntry {
        if (!hostPath.isAbsolute() || !cellPath.isAbsolute()) {
            throw new IsolaException("view paths must be absolute: " + hostPath + " -> " + cellPath);
        }
    }
}
