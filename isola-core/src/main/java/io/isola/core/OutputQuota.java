package io.isola.core;

/**
 * Bounds on what may leave one cell. Everything a cell leaves behind is hostile: these keep a task from filling the
 * host's disk or drowning the user in files.
 *
 * <p>Sizes are the sizes files claim (their apparent size), not the disk they take: a sparse file costs the cell
 * nothing and the host as much as it claims to copy. No task can legitimately leave more than its cell's disk holds,
 * so a harvest is never allowed more bytes than that ({@link #within}).
 *
 * @param maxFiles files that may leave, all together
 * @param maxBytes bytes that may leave, all together
 * @param maxDepth directory levels below the output directory
 * @param hash whether each file's sha256 is computed while it is copied out; the pixels of a safe view are parsed
 *     once and dropped, and hashing megabytes on a cold JVM costs more than the rest of the copy
 * @param maxFileBytes bytes one file may have: for outputs whose legitimate size is known (a page of pixels)
 */
public record OutputQuota(int maxFiles, long maxBytes, int maxDepth, boolean hash, long maxFileBytes) {
    public static final OutputQuota DEFAULT = new OutputQuota(1000, 256L << 20, 16);

    public OutputQuota(int maxFiles, long maxBytes, int maxDepth) {
        this(maxFiles, maxBytes, maxDepth, true, Long.MAX_VALUE);
    }

    public OutputQuota(int maxFiles, long maxBytes, int maxDepth, boolean hash) {
        this(maxFiles, maxBytes, maxDepth, hash, Long.MAX_VALUE);
    }

    public OutputQuota {
        if (maxFiles < 0 || maxBytes < 0 || maxDepth < 1 || maxFileBytes < 0) {
            throw new IsolaException("output quota must not be negative, and depth at least 1", 2);
        }
    }

    /** This quota, with no more bytes than a cell whose writable disk holds {@code diskBytes} can leave. */
    public OutputQuota within(long diskBytes) {
        return maxBytes <= diskBytes ? this : new OutputQuota(maxFiles, diskBytes, maxDepth, hash, maxFileBytes);
    }
}
