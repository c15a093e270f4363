package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A file that another, hostile party keeps writing (a cell's framebuffer), read only with pread(2): never mapped,
 * because a mapping of a file its writer can truncate faults (SIGBUS) instead of returning a short read. It is
 * opened with O_NOFOLLOW, so a symbolic link put in its place is refused, and O_NONBLOCK, so a FIFO put there does
 * not block the opener; its descriptor is then checked to be a regular file.
 */
public final class FrameFile implements AutoCloseable {
    private static final MemorySegment OPEN = Native.fn("open"), FSTAT = Native.fn("statx");
    private static final int O_RDONLY = 0, O_NONBLOCK = 04000, O_NOFOLLOW = 0400000, AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 1, STATX_SIZE = 0x200, STATX_BUFFER = 256;
    private static final int STATX_MODE_OFFSET = 28, STATX_SIZE_OFFSET = 40, S_IFMT = 0170000, S_IFREG = 0100000;

    private final int fd;

    private FrameFile(int fd) {
        this.fd = fd;
    }

    /** Links the reads ahead (~7 ms), for a process that will read frames later but is idle now (the agent). */
    public static void linkAhead() {
        Native.linkArrayRead();
    }

    /**
     * Opens {@code path} for reading.
     *
     * @throws LinuxException when it cannot be opened (ELOOP: a symbolic link) or is not a regular file
     */
    public static FrameFile open(String path) {
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = (int) Native.checked(
                    "open " + path, OPEN, Native.str(a, path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | Libc.O_CLOEXEC, 0);
        }
        FrameFile f = new FrameFile(fd);
        try {
            if (!f.isRegular()) {
                throw new LinuxException("open " + path + ": not a regular file", Libc.ENXIO);
            }
            return f;
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private boolean isRegular() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = stat(a);
            return (Short.toUnsignedInt(b.get(ValueLayout.JAVA_SHORT, STATX_MODE_OFFSET)) & S_IFMT) == S_IFREG;
        }
    }

    /** The file's size now; the writer may change it at any moment. */
    public long size() {
        try (Arena a = Arena.ofConfined()) {
            return stat(a).get(ValueLayout.JAVA_LONG, STATX_SIZE_OFFSET);
        }
    }

    private MemorySegment stat(Arena a) {
        MemorySegment b = a.allocate(STATX_BUFFER, 8);
        Native.checked("statx", FSTAT, fd, Native.str(a, ""), AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, b.address());
        return b;
    }

    /**
     * Reads exactly {@code length} bytes at {@code offset} into {@code into}, or fewer when the file ends sooner.
     *
     * @return the bytes read
     */
    public synchronized int read(long offset, byte[] into, int length) {
        return (int) readFully(MemorySegment.ofArray(into).asSlice(0, length), offset);
    }

    /**
     * Reads {@code count} 32-bit values at {@code offset} into {@code into}, in the given byte order.
     *
     * @return the values read; fewer when the file ends sooner
     */
    public synchronized int readInts(long offset, int[] into, int count, ByteOrder order) {
        int values = (int) (readFully(MemorySegment.ofArray(into).asSlice(0, count * 4L), offset) / 4);
        if (order != ByteOrder.nativeOrder()) {
            for (int i = 0; i < values; i++) {
                into[i] = Integer.reverseBytes(into[i]);
            }
        }
        return values;
    }

    /**
     * Fills {@code target} (a slice of a Java array: its bounds are checked by the slicing, before any read) from
     * {@code offset}, straight into the array, with no buffer between; fewer bytes when the file ends sooner.
     */
    private long readFully(MemorySegment target, long offset) {
        long done = 0;
        while (done < target.byteSize()) {
            long n = Native.preadInto(fd, target.asSlice(done), offset + done);
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    @Override
    public synchronized void close() {
        Libc.close(fd);
    }
}
