package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Unix socket pairs: a channel to a child process that has no name in the file system, so nothing but the two ends
 * can ever reach it (the VM engine's QMP and agent channels).
 */
public final class Sockets {
    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 02000000, SHUT_RD = 0, SHUT_RDWR = 2;
    private static final MemorySegment SOCKETPAIR = Native.fn("socketpair"), SHUTDOWN = Native.fn("shutdown");

    private Sockets() {}

    /** A connected, close-on-exec stream socket pair: [ours, theirs]. */
    public static int[] pair() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(ValueLayout.JAVA_INT, 2);
            Native.checked("socketpair", SOCKETPAIR, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.address(), 0);
            return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
        }
    }

    /** Ends both directions, which wakes a thread blocked reading the socket (closing it would not). */
    public static void shutdown(int fd) {
        try (Arena a = Arena.ofConfined()) {
            Native.call(SHUTDOWN, Native.errnoBuffer(a), fd, SHUT_RDWR, 0);
        }
    }

    /** Ends reading only: a thread blocked reading the socket wakes to its end, and writes still go out. */
    public static void shutdownRead(int fd) {
        try (Arena a = Arena.ofConfined()) {
            Native.call(SHUTDOWN, Native.errnoBuffer(a), fd, SHUT_RD, 0);
        }
    }
}
