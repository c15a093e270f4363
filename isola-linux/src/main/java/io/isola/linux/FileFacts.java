package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What can be learnt of a file through a descriptor already open on it, without opening it again: its identity
 * (device, inode, birth), change time and size (statx), its path, and its extended attributes. A listener of
 * fanotify permission events must never open a watched file by path on its decision path.
 */
public final class FileFacts {
    private static final MemorySegment STATX = Native.fn("statx"),
            FGETXATTR = Native.fn("fgetxattr"),
            FLISTXATTR = Native.fn("flistxattr"),
            FSETXATTR = Native.fn("fsetxattr"),
            READLINK = Native.fn("readlink"),
            PREAD = Native.fn("pread");
    private static final int AT_EMPTY_PATH = 0x1000, STATX_BASIC = 0x7ff, STATX_BTIME = 0x800;
    private static final int ENODATA = 61, ERANGE = 34, EOPNOTSUPP = 95;
    private static final int MAX_VALUE = 65536;

    private FileFacts() {}

    /**
     * A file's identity and change time. {@code birth} is 0 where the file system keeps no birth time.
     *
     * @param changed ctime in nanoseconds: any write, chmod or xattr change moves it
     */
    public record Stat(long device, long inode, long birth, long changed, long size, int mode, int uid) {
        public boolean isRegular() {
            return (mode & 0170000) == 0100000;
        }
    }

    public static Stat stat(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocate(256, 8);
            Native.checked(
                    "statx", STATX, fd, Native.str(a, ""), AT_EMPTY_PATH, STATX_BASIC | STATX_BTIME, b.address());
            boolean hasBirth = (b.get(ValueLayout.JAVA_INT, 0) & STATX_BTIME) != 0;
            long device = ((long) b.get(ValueLayout.JAVA_INT, 136) << 32) | b.get(ValueLayout.JAVA_INT, 140);
            return new Stat(
                    device,
                    b.get(ValueLayout.JAVA_LONG, 32),
                    hasBirth ? nanos(b, 80) : 0,
                    nanos(b, 96),
                    b.get(ValueLayout.JAVA_LONG, 40),
                    b.get(ValueLayout.JAVA_SHORT, 28) & 0xffff,
                    b.get(ValueLayout.JAVA_INT, 20));
        }
    }

    private static long nanos(MemorySegment b, long at) {
        return b.get(ValueLayout.JAVA_LONG, at) * 1_000_000_000L
                + Integer.toUnsignedLong(b.get(ValueLayout.JAVA_INT, at + 8));
    }

    /** The path the descriptor was opened by, as this process sees it ({@code " (deleted)"} when unlinked). */
    public static String path(int fd) {
        return link("/proc/self/fd/" + fd);
    }

    /** Where a symbolic link (e.g. {@code /proc/PID/exe}) points, or null when it cannot be read. */
    public static String link(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096);
            long n = Native.call(READLINK, Native.errnoBuffer(a), Native.str(a, path), buf.address(), 4096);
            return n < 0 || n >= 4096
                    ? null
                    : new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    /** The names of the file's extended attributes (all namespaces this process may see). */
    public static List<String> xattrNames(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(MAX_VALUE);
            MemorySegment err = Native.errnoBuffer(a);
            long n = Native.call(FLISTXATTR, err, fd, buf.address(), MAX_VALUE);
            if (n < 0) {
                int errno = Native.errno(err);
                if (errno == EOPNOTSUPP) {
                    return List.of();
                }
                throw new LinuxException("flistxattr", errno);
            }
            List<String> names = new ArrayList<>();
            int start = 0;
            byte[] bytes = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == 0) {
                    names.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return names;
        }
    }

    /** One attribute's value as UTF-8, or null when the file has none by that name. */
    public static String xattr(int fd, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(MAX_VALUE);
            MemorySegment err = Native.errnoBuffer(a);
            long n = Native.call(FGETXATTR, err, fd, Native.str(a, name), buf.address(), MAX_VALUE, 0, 0);
            if (n < 0) {
                int errno = Native.errno(err);
                if (errno == ENODATA || errno == EOPNOTSUPP || errno == ERANGE) {
                    return null;
                }
                throw new LinuxException("fgetxattr " + name, errno);
            }
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    public static void setXattr(int fd, String name, String value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocateFrom(ValueLayout.JAVA_BYTE, value.getBytes(StandardCharsets.UTF_8));
            Native.checked("fsetxattr " + name, FSETXATTR, fd, Native.str(a, name), v.address(), v.byteSize(), 0);
        }
    }

    /** Reads up to {@code buf.length} bytes at {@code offset} without moving the descriptor's position. */
    public static int pread(int fd, byte[] buf, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(buf.length);
            int n = (int) Native.checked("pread", PREAD, fd, m.address(), buf.length, offset, 0);
            MemorySegment.copy(m, ValueLayout.JAVA_BYTE, 0, buf, 0, n);
            return n;
        }
    }
}
