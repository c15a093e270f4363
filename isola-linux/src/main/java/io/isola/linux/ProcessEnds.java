package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Waits for the first of some processes to end, without looking at them over and over: a pidfd per process
 * (pidfd_open, Linux 5.3) becomes readable when it ends, whoever its parent is, and one poll() waits on all of them
 * and on a pipe that {@link #stop} writes to. A process already gone when watched counts as ended.
 */
public final class ProcessEnds implements AutoCloseable {
    private static final long SYS_PIDFD_OPEN = 434; // x86-64 and AArch64 alike (the generic table)
    private static final short POLLIN = 1;
    private static final int POLLFD_SIZE = 8; // struct pollfd: int fd, short events, short revents
    private static final MemorySegment SYSCALL = Native.fn("syscall"), POLL = Native.fn("poll");

    private final int[] pidfds;
    private final int[] wake = Libc.pipe();
    private final boolean endedAlready;

    private ProcessEnds(long[] pids) {
        pidfds = new int[pids.length];
        java.util.Arrays.fill(pidfds, -1);
        boolean gone = false;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            for (int i = 0; i < pids.length; i++) {
                pidfds[i] = (int) Native.call(SYSCALL, err, SYS_PIDFD_OPEN, pids[i], 0);
                if (pidfds[i] < 0) {
                    if (Native.errno(err) != Libc.ESRCH) {
                        close();
                        throw new LinuxException("pidfd_open " + pids[i], Native.errno(err));
                    }
                    gone = true;
                }
            }
        }
        endedAlready = gone;
    }

    /** Watches {@code pids}. */
    public static ProcessEnds of(long... pids) {
        return new ProcessEnds(pids);
    }

    /** Blocks until one of the processes has ended (true) or {@link #stop} was called (false). */
    public boolean await() {
        if (endedAlready) {
            return true;
        }
        try (Arena a = Arena.ofConfined()) {
            int n = pidfds.length + 1;
            MemorySegment fds = a.allocate((long) POLLFD_SIZE * n, 4);
            for (int i = 0; i < n; i++) {
                fds.set(ValueLayout.JAVA_INT, (long) i * POLLFD_SIZE, i < pidfds.length ? pidfds[i] : wake[0]);
                fds.set(ValueLayout.JAVA_SHORT, (long) i * POLLFD_SIZE + 4, POLLIN);
            }
            MemorySegment err = Native.errnoBuffer(a);
            while (true) {
                long ready = Native.call(POLL, err, fds.address(), n, -1);
                if (ready < 0 && Native.errno(err) != Libc.EINTR) {
                    throw new LinuxException("poll", Native.errno(err));
                }
                if (ready > 0) { // a process ended, unless the wake pipe says stop
                    return fds.get(ValueLayout.JAVA_SHORT, (long) pidfds.length * POLLFD_SIZE + 6) == 0;
                }
            }
        }
    }

    /** Wakes {@link #await}, from any thread: it returns false (unless a process ended first). */
    public void stop() {
        Libc.write(wake[1], new byte[] {1});
    }

    @Override
    public void close() {
        for (int fd : pidfds) {
            Libc.close(fd); // -1 (none) is skipped
        }
        Libc.close(wake[0]);
        Libc.close(wake[1]);
    }
}
