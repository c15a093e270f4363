package io.isola.linux;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads a small configuration file that someone else may have named: a regular file of bounded size, or a
 * {@link Refused} that says what it is instead. A FIFO, a device such as /dev/zero or a file that never ends must
 * neither hang the reader nor fill its memory. Symbolic links are followed (a policy may well be a link to a shared
 * one); what is checked is the file actually opened. It is opened with O_NONBLOCK, so that opening a FIFO does not
 * wait for a writer, and then its descriptor is examined with statx, so that a swap between a look at the path and
 * the open changes nothing.
 */
public final class SmallFile {
    private static final MemorySegment OPEN = Native.fn("open"), STATX = Native.fn("statx"), READ = Native.fn("read");
    private static final int O_RDONLY = 0, O_NONBLOCK = 04000, AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 1, STATX_SIZE = 0x200;
    private static final int STATX_BUFFER = 256, STATX_MODE_OFFSET = 28, STATX_SIZE_OFFSET = 40;
    private static final int S_IFMT = 0170000, S_IFREG = 0100000;
    private static final int CHUNK = 64 << 10;

    private SmallFile() {}

    /** What a path named instead of a small regular file; the message completes "PATH: ...". */
    public static final class Refused extends RuntimeException {
        private Refused(String message) {
            super(message);
        }
    }

    /**
     * The whole content of {@code path}, at most {@code maxBytes}.
     *
     * @throws Refused when it is not a regular file, or is larger than {@code maxBytes}
     * @throws LinuxException when it cannot be opened or read (ENOENT, EACCES…)
     */
    public static byte[] read(String path, int maxBytes) {
        int fd;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            fd = (int) Native.call(OPEN, err, Native.str(a, path), O_RDONLY | O_NONBLOCK | Libc.O_CLOEXEC, 0);
            if (fd == -1) {
                int errno = Native.errno(err);
                if (errno == Libc.ENXIO) { // open(2) of a UNIX socket
                    throw new Refused("not a regular file (a socket)");
                }
                throw new LinuxException("open " + path, errno);
            }
        }
        try {
            checkRegularAndSmall(fd, path, maxBytes);
            return readAtMost(fd, path, maxBytes);
        } finally {
            Libc.close(fd);
        }
    }

    private static void checkRegularAndSmall(int fd, String path, int maxBytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(STATX_BUFFER, 8);
            Native.checked(
                    "statx " + path,
                    STATX,
                    fd,
                    Native.str(a, ""),
                    AT_EMPTY_PATH,
                    STATX_TYPE | STATX_SIZE,
                    buf.address());
            int mode = Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, STATX_MODE_OFFSET));
            if ((mode & S_IFMT) != S_IFREG) {
                throw new Refused("not a regular file (" + kind(mode) + ")");
            }
            if (buf.get(ValueLayout.JAVA_LONG, STATX_SIZE_OFFSET) > maxBytes) {
                throw tooLarge(maxBytes);
            }
        }
    }

    /** Reads to the end, but never more than {@code maxBytes} + 1: a file may grow after its size was looked at. */
    private static byte[] readAtMost(int fd, String path, int maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(CHUNK);
            while (true) {
                long want = Math.min(CHUNK, (long) maxBytes + 1 - out.size());
                long n = Native.checked("read " + path, READ, fd, buf.address(), want);
                if (n == 0) {
                    return out.toByteArray();
                }
                out.write(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
                if (out.size() > maxBytes) {
                    throw tooLarge(maxBytes);
                }
            }
        }
    }

    private static Refused tooLarge(int maxBytes) {
        String limit = maxBytes % (1 << 20) == 0 ? (maxBytes >> 20) + " MiB" : maxBytes + " bytes";
        return new Refused("larger than " + limit);
    }

    private static String kind(int mode) {
        return switch (mode & S_IFMT) {
            case 0040000 -> "a directory";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            case 0010000 -> "a FIFO";
            case 0140000 -> "a socket";
            default -> "of type " + Integer.toOctalString(mode & S_IFMT);
        };
    }
}
