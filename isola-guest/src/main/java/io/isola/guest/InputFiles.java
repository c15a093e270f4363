package io.isola.guest;

import io.isola.guest.Wire.Frame;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The task's input files as the host sent them, with their inode stamps, so that changed copies can be sent back.
 *
 * <p>A change is told by the inode, not by hashing the contents: Java's SHA-256 runs interpreted in the guest (the
 * agent's JVM does not compile, see GuestInit) at ~1 MB/s under emulation. Any write, truncation, chmod or
 * replacement gives the file a later ctime or another inode, which no unprivileged call can set back; {@link
 * #settle} makes sure the clock has moved on from the agent's own writes before the task starts, so that a change in
 * the same clock tick shows too. The guest's root could turn the clock back to hide a change, but that only keeps
 * its own work in the cell: an unchanged input never leaves it.
 */
final class InputFiles {
    private record Stamp(Object inode, long size, FileTime modified, FileTime changed) {}

    private static final String STAMP = "unix:ino,size,lastModifiedTime,ctime";
    private static final long SETTLE_LIMIT_NANOS = 100_000_000L;

    private final Map<Path, Stamp> sent = new HashMap<>();
    private FileTime newest;
    private Path newestDir;

    /** Writes the file whose DATA frames follow, up to DATA_END. */
    void receive(Path path, DataInputStream in) throws IOException {
        Files.createDirectories(path.getParent());
        try (OutputStream out = Files.newOutputStream(path)) {
            while (true) {
                Frame f = Wire.read(in);
                if (f == null || f.type() == Wire.DATA_END) {
                    break;
                }
                out.write(f.payload());
            }
        }
        Stamp s = stamp(path);
        sent.put(path, s);
        if (newest == null || s.changed().compareTo(newest) > 0) {
            newest = s.changed();
            newestDir = path.getParent();
        }
    }

    /**
     * Waits until an inode changed now gets a later ctime than every input received (one clock tick at most; the
     * kernel keeps ctime at tick granularity). The clock is read off the newest input's directory, whose mode is
     * set to itself: no file is made for it. Bounded: a clock that does not move only means a change made in the
     * task's first tick could go unnoticed.
     */
    void settle() throws IOException {
        if (newestDir == null) {
            return;
        }
        try {
            long deadline = System.nanoTime() + SETTLE_LIMIT_NANOS;
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(newestDir, LinkOption.NOFOLLOW_LINKS);
            do {
                Files.setPosixFilePermissions(newestDir, perms); // a chmod stamps ctime with the current tick
                if (stamp(newestDir).changed().compareTo(newest) > 0) {
                    break;
                }
                Thread.sleep(1);
            } while (System.nanoTime() < deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            newest = null;
            newestDir = null;
        }
    }

    /** Whether the task left {@code file} as the host sent it. */
    boolean unchanged(Path file) {
        Stamp before = sent.get(file);
        if (before == null) {
            return false;
        }
        try {
            return before.equals(stamp(file));
        } catch (IOException e) {
            return false;
        }
    }

    private static Stamp stamp(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, STAMP, LinkOption.NOFOLLOW_LINKS);
        return new Stamp(
                a.get("ino"), (Long) a.get("size"), (FileTime) a.get("lastModifiedTime"), (FileTime) a.get("ctime"));
    }
}
