package io.isola.core.output;

import io.isola.core.IsolaException;

/**
 * Bounds on what may leave one cell. Everything a cell leaves behind is hostile: these keep a task from filling the
 * host's disk or drowning the user in files.
 *
 * @param maxFiles files that may leave, all together
 * @param maxBytes bytes that may leave, all together
 * @param maxDepth directory levels below the output directory
 * @param hash whether each file's sha256 is computed while it is copied out; the pixels of a safe view are parsed
 *     once and dropped, and hashing megabytes on a cold JVM costs more than the rest of the copy
 */
public record OutputQuota(int maxFiles, long maxBytes, int maxDepth, boolean hash) {
    public static final OutputQuota DEFAULT = new OutputQuota(1000, 256L << 20, 16);

    public OutputQuota(int maxFiles, long maxBytes, int maxDepth) {
        this(maxFiles, maxBytes, maxDepth, true);
    }

    public OutputQuota {
        if (maxFiles < 0 || maxBytes < 0 || maxDepth < 1) {
            throw new IsolaException("output quota must not be negative, and depth at least 1", 2);
        }
    }
}
