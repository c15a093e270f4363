package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A fanotify group for permission events: the kernel asks it before a file on a marked mount is opened or executed,
 * and waits for {@link #answer}. Closing the group (or the death of its process) makes the kernel allow every open
 * still waiting and every later one, so a crashed listener never freezes the machine.
 *
 * <p>Each event carries a descriptor opened on the file by the kernel for the listener (reading through it raises no
 * event); the listener must close it after answering.
 */
public final class Fanotify implements AutoCloseable {
    public static final long FAN_OPEN_PERM = 0x00010000L, FAN_OPEN_EXEC_PERM = 0x00040000L, FAN_MODIFY = 0x2L;
    public static final int FAN_ALLOW = 1, FAN_DENY = 2;
    private static final int FAN_CLOEXEC = 1,
            FAN_NONBLOCK = 2,
            FAN_CLASS_CONTENT = 4,
            FAN_UNLIMITED_QUEUE = 0x10,
            FAN_UNLIMITED_MARKS = 0x20;
    private static final int FAN_MARK_ADD = 1,
            FAN_MARK_MOUNT = 0x10,
            FAN_MARK_IGNORED_MASK = 0x20,
            FAN_MARK_FLUSH = 0x80,
            FAN_MARK_EVICTABLE = 0x200;
    private static final int O_RDONLY = 0, O_LARGEFILE = 0100000, AT_FDCWD = -100;
    private static final int EVENT_SIZE = 24, METADATA_VERSION = 3;
    private static final int EAGAIN = 11;
    private static final short POLLIN = 1;

    private static final MemorySegment INIT = Native.fn("fanotify_init"),
            MARK = Native.fn("fanotify_mark"),
            READ = Native.fn("read"),
            WRITE = Native.fn("write"),
            POLL = Native.fn("poll");

    /** One permission request: what was asked ({@link #FAN_OPEN_PERM}…), the file's descriptor, who asked. */
    public record Event(long mask, int fd, int pid) {}

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(64 * EVENT_SIZE * 4, 8);
    private final MemorySegment readErr = Native.errnoBuffer(arena);
    private final MemorySegment pollFd = arena.allocate(8, 4);
    private volatile boolean closed;

    private Fanotify(int fd) {
        this.fd = fd;
    }

    /**
     * A content-class group (permission events) that never loses an event and may hold a mark per judged file.
     * Needs CAP_SYS_ADMIN.
     */
    public static Fanotify open() {
        int flags = FAN_CLOEXEC | FAN_NONBLOCK | FAN_CLASS_CONTENT | FAN_UNLIMITED_QUEUE | FAN_UNLIMITED_MARKS;
        return new Fanotify(
                (int) Native.checked("fanotify_init", INIT, flags, O_RDONLY | O_LARGEFILE | Libc.O_CLOEXEC, 0));
    }

    /** Asks for {@code mask} on every file of the mount that holds {@code path}. */
    public void watchMount(String path, long mask) {
        try (Arena a = Arena.ofConfined()) {
            Native.checked(
                    "fanotify_mark " + path,
                    MARK,
                    fd,
                    FAN_MARK_ADD | FAN_MARK_MOUNT,
                    mask,
                    AT_FDCWD,
                    Native.str(a, path));
        }
    }

    /**
     * Tells the kernel to stop asking about the file open at {@code fileFd} until it is written to: an ignore mark
     * on its inode, dropped on the next modification (no FAN_MARK_IGNORED_SURV_MODIFY), and evictable, so judged
     * files do not pin their inodes in memory (a file evicted is asked about again). Returns false when the kernel
     * refuses (then the file is only asked about again, which is safe).
     */
    public boolean stopAsking(int fileFd, long mask) {
        try (Arena a = Arena.ofConfined()) {
            long rc = Native.call(
                    MARK,
                    Native.errnoBuffer(a),
                    fd,
                    FAN_MARK_ADD | FAN_MARK_IGNORED_MASK | FAN_MARK_EVICTABLE,
                    mask,
                    fileFd,
                    0,
                    0);
            return (int) rc == 0;
        }
    }

    /** Drops every ignore mark, so that every file is judged again (after a policy change). */
    public void forgetJudged() {
        // FAN_MARK_FLUSH removes all inode marks of the group; the mount marks stay.
        Native.checked("fanotify_mark flush", MARK, fd, FAN_MARK_FLUSH, 0, AT_FDCWD, 0);
    }

    /**
     * Waits up to {@code timeoutMillis} for requests, then reads those queued; an empty list when none came.
     * Only one thread may call it.
     */
    public List<Event> next(int timeoutMillis) {
        List<Event> events = new ArrayList<>();
        pollFd.set(ValueLayout.JAVA_INT, 0, fd);
        pollFd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
        pollFd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        long ready = Native.call(POLL, readErr, pollFd.address(), 1, timeoutMillis);
        if (ready <= 0 || closed) {
            return events;
        }
        long n = Native.call(READ, readErr, fd, buffer.address(), buffer.byteSize());
        if (n < 0) {
            int errno = Native.errno(readErr);
            if (errno == EAGAIN || errno == Libc.EINTR) {
                return events;
            }
            throw new LinuxException("read fanotify", errno);
        }
        for (long at = 0; at + EVENT_SIZE <= n; ) {
            int len = buffer.get(ValueLayout.JAVA_INT, at);
            if (buffer.get(ValueLayout.JAVA_BYTE, at + 4) != METADATA_VERSION || len < EVENT_SIZE) {
                throw new IllegalStateException("fanotify metadata version " + buffer.get(ValueLayout.JAVA_BYTE, at + 4)
                        + " is not the one Isola knows (3)");
            }
            events.add(new Event(
                    buffer.get(ValueLayout.JAVA_LONG, at + 8),
                    buffer.get(ValueLayout.JAVA_INT, at + 16),
                    buffer.get(ValueLayout.JAVA_INT, at + 20)));
            at += len;
        }
        return events;
    }

    /**
     * Answers a request. Safe from any thread. The caller closes the event's descriptor afterwards, once nothing
     * reads through it any more (closing it first would let its number be reused under a reader).
     */
    public void answer(Event e, boolean allow) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment r = a.allocate(8, 4);
            r.set(ValueLayout.JAVA_INT, 0, e.fd());
            r.set(ValueLayout.JAVA_INT, 4, allow ? FAN_ALLOW : FAN_DENY);
            // A failed answer (the group closing) leaves the kernel to allow the open: nothing to retry.
            Native.call(WRITE, Native.errnoBuffer(a), fd, r.address(), 8);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }
}
