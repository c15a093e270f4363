package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An in-memory copy of a file that nobody can change: memfd_create, the file's data copied in with sendfile (holes
 * stay holes), then write, shrink and grow sealed, and the seals themselves sealed. Whoever receives the descriptor
 * can read it and map it privately (copy-on-write), but no write(), shared writable mapping or truncation succeeds,
 * not even for root.
 */
public final class SealedCopy {
    private static final MemorySegment MEMFD_CREATE = Native.fn("memfd_create"),
            FTRUNCATE = Native.fn("ftruncate"),
            FCNTL = Native.fn("fcntl"),
            LSEEK = Native.fn("lseek"),
            SENDFILE = Native.fn("sendfile");
    private static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    private static final int F_ADD_SEALS = 1033, F_GET_SEALS = 1034;
    public static final int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;
    private static final int SEEK_SET = 0, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;

    private SealedCopy() {}

    /** Copies {@code path} into a new sealed memfd named {@code name}; returns its (close-on-exec) descriptor. */
    public static int of(String path, String name) {
        int src = Libc.openReadOnly(path);
        int fd = -1;
        try (Arena a = Arena.ofConfined()) {
            fd = (int) Native.checked(
                    "memfd_create", MEMFD_CREATE, Native.str(a, name), MFD_CLOEXEC | MFD_ALLOW_SEALING, 0);
            long size = Native.checked("lseek " + path, LSEEK, src, 0, SEEK_END);
            Native.checked("ftruncate", FTRUNCATE, fd, size, 0);
            MemorySegment offset = a.allocate(ValueLayout.JAVA_LONG);
            for (long pos = nextData(src, 0, a); pos >= 0 && pos < size; ) {
                long hole = Native.checked("lseek " + path, LSEEK, src, pos, SEEK_HOLE);
                Native.checked("lseek", LSEEK, fd, pos, SEEK_SET);
                offset.set(ValueLayout.JAVA_LONG, 0, pos);
                while (offset.get(ValueLayout.JAVA_LONG, 0) < hole) {
                    long left = hole - offset.get(ValueLayout.JAVA_LONG, 0);
                    if (Native.checked("sendfile " + path, SENDFILE, fd, src, offset.address(), left, 0) == 0) {
                        throw new LinuxException("sendfile " + path + " (file shrank while copied)", Libc.EIO);
                    }
                }
                pos = nextData(src, hole, a);
            }
            Native.checked("fcntl", FCNTL, fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
            return fd;
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        } finally {
            Libc.close(src);
        }
    }

    /** The seals set on {@code fd} (F_SEAL_* bits). */
    public static int seals(int fd) {
        return (int) Native.checked("fcntl", FCNTL, fd, F_GET_SEALS, 0);
    }

    /** The next offset at or after {@code from} that holds data; -1 when only a hole follows. */
    private static long nextData(int fd, long from, Arena a) {
        MemorySegment err = Native.errnoBuffer(a);
        long pos = Native.call(LSEEK, err, fd, from, SEEK_DATA);
        if (pos == -1) {
            if (Native.errno(err) == Libc.ENXIO) {
                return -1;
            }
            throw new LinuxException("lseek", Native.errno(err));
        }
        return pos;
    }
}
