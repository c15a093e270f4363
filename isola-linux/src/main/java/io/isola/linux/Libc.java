package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Typed wrappers for the few libc calls Isola needs. Each throws {@link LinuxException} on failure. */
public final class Libc {
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    public static final int CLONE_FS = 0x00000200;
    public static final int CLONE_NEWNS = 0x00020000;
    public static final int CLONE_NEWUSER = 0x10000000;
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;
    public static final long MS_REC = 16384, MS_PRIVATE = 1 << 18;
    public static final int MNT_DETACH = 2;
    public static final int O_CLOEXEC = 02000000;
    public static final int WNOHANG = 1;
    public static final int ENOENT = 2,
            ESRCH = 3,
            EINTR = 4,
            EIO = 5,
            ENXIO = 6,
            ECHILD = 10,
            EACCES = 13,
            ENOTDIR = 20,
            EINVAL = 22;
    private static final int S_IFCHR = 0020000;
    private static final int O_WRONLY = 01, O_CREAT = 0100, O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000;
    private static final MemorySegment MOUNT = Native.fn("mount"),
            UMOUNT2 = Native.fn("umount2"),
            UNSHARE = Native.fn("unshare"),
            SETNS = Native.fn("setns"),
            MKNOD = Native.fn("mknod"),
            LCHOWN = Native.fn("lchown"),
            CHMOD = Native.fn("chmod"),
            ACCESS = Native.fn("access"),
            OPEN = Native.fn("open"),
            PIPE2 = Native.fn("pipe2"),
            CLOSE = Native.fn("close"),
            READ = Native.fn("read"),
            WRITE = Native.fn("write"),
            KILL = Native.fn("kill"),
            WAITPID = Native.fn("waitpid"),
            GETEUID = Native.fn("geteuid"),
            SETPRIORITY = Native.fn("setpriority"),
            SYSCALL = Native.fn("syscall"),
            EXIT_NOW = Native.fn("_exit");
    private static final long SYS_FCNTL = 72;
    private static final int F_DUPFD_CLOEXEC = 1030, F_SETFD = 2, FD_CLOEXEC = 1;

    private Libc() {}

    public static void mount(String source, String target, String fstype, long flags, String data) {
        try (Arena a = Arena.ofConfined()) {
            Native.checked(
                    "mount " + target,
                    MOUNT,
                    Native.str(a, source),
                    Native.str(a, target),
                    Native.str(a, fstype),
                    flags,
                    Native.str(a, data));
        }
    }

    public static void umount2(String target, int flags) {
        try (Arena a = Arena.ofConfined()) {
            Native.checked("umount " + target, UMOUNT2, Native.str(a, target), flags, 0);
        }
    }

    /** unshare(2) for the calling thread only; CLONE_NEWNS works in a multi-threaded process. */
    public static void unshare(int flags) {
        Native.checked("unshare", UNSHARE, flags, 0, 0);
    }

    /** Moves the calling thread into the namespace open at {@code fd} (a mount namespace needs an unshared fs). */
    public static void setns(int fd, int nstype) {
        Native.checked("setns", SETNS, fd, nstype, 0);
    }

    /** An overlayfs whiteout: a character device 0:0. */
    public static void mkWhiteout(String path) {
        try (Arena a = Arena.ofConfined()) {
            Native.checked("mknod " + path, MKNOD, Native.str(a, path), S_IFCHR, 0);
        }
    }

    public static void chown(String path, int uid, int gid) {
        try (Arena a = Arena.ofConfined()) {
            Native.checked("chown " + path, LCHOWN, Native.str(a, path), uid, gid);
        }
    }

    public static void chmod(String path, int mode) {
        try (Arena a = Arena.ofConfined()) {
            Native.checked("chmod " + path, CHMOD, Native.str(a, path), mode, 0);
        }
    }

    public static final int R_OK = 4, W_OK = 2, X_OK = 1;

    /**
     * access(2): whether the calling thread's <em>real</em> user may use {@code path} this way. The kernel checks
     * with the real ids and, for a non-root real user, without capabilities.
     */
    public static boolean access(String path, int mode) {
        try (Arena a = Arena.ofConfined()) {
            return (int) Native.call(ACCESS, Native.errnoBuffer(a), Native.str(a, path), mode, 0) == 0;
        }
    }

    public static int openReadOnly(String path) {
        return open(path, O_CLOEXEC);
    }

    /** Opens for writing, creating the file (0600) if needed; {@code append} keeps existing content. */
    public static int openWrite(String path, boolean append) {
        return open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC);
    }

    /**
     * Opens another process's descriptor again through {@code /proc/PID/fd/N} (a terminal, a pipe, /dev/null), to read
     * or to write; never as this process's controlling terminal. The kernel lets only a process that could trace the
     * other do it: the same user.
     */
    public static int openStreamOf(long pid, int fd, boolean write) {
        return open("/proc/" + pid + "/fd/" + fd, (write ? O_WRONLY : 0) | O_NOCTTY | O_CLOEXEC);
    }

    private static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            return (int) Native.checked("open " + path, OPEN, Native.str(a, path), flags, 0600);
        }
    }

    /**
     * A close-on-exec copy of {@code fd}, so that no other child spawned meanwhile inherits it. fcntl() is variadic,
     * so it goes through the raw system call, as {@link ThreadCredentials} does (x86-64 numbering).
     */
    public static int dupCloexec(int fd) {
        return (int) Native.checked("fcntl(F_DUPFD_CLOEXEC)", SYSCALL, SYS_FCNTL, fd, F_DUPFD_CLOEXEC, 0, 0);
    }

    /** Marks an inherited descriptor close-on-exec, so that no program this process starts receives it. */
    public static void setCloexec(int fd) {
        Native.checked("fcntl(F_SETFD)", SYSCALL, SYS_FCNTL, fd, F_SETFD, FD_CLOEXEC, 0);
    }

    /** A close-on-exec pipe: [read end, write end]. */
    public static int[] pipe() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(ValueLayout.JAVA_INT, 2);
            Native.checked("pipe2", PIPE2, fds.address(), O_CLOEXEC, 0);
            return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
        }
    }

    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            // Never retry close on EINTR: Linux has released the descriptor already.
            if ((int) Native.call(CLOSE, err, fd, 0, 0) == -1 && Native.errno(err) != EINTR) {
                throw new LinuxException("close", Native.errno(err));
            }
        }
    }

    /** Reads up to max bytes; returns an empty array at end of file. */
    public static byte[] read(int fd, int max) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(max);
            long n = Native.checked("read", READ, fd, buf.address(), max);
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    public static void write(int fd, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocateFrom(ValueLayout.JAVA_BYTE, data);
            for (long off = 0; off < data.length; ) {
                off += Native.checked("write", WRITE, fd, buf.address() + off, data.length - off);
            }
        }
    }

    /** Sends a signal; returns false when the process no longer exists. */
    public static boolean kill(int pid, int signal) {
        if (pid <= 0) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            if ((int) Native.call(KILL, err, pid, signal, 0) == 0) {
                return true;
            }
            if (Native.errno(err) == ESRCH) {
                return false;
            }
            throw new LinuxException("kill", Native.errno(err));
        }
    }

    /**
     * Waits for a child. Returns the raw wait status, or -1 with WNOHANG when it is still running.
     * Only for children Isola spawned itself: the JDK's own reaper waits on its pids only, never on ours.
     */
    public static int waitpid(int pid, int options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(ValueLayout.JAVA_INT);
            int rc = (int) Native.checked("waitpid", WAITPID, pid, status.address(), options);
            return rc == 0 ? -1 : status.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** Shell-style exit code of a wait status: the exit code, or 128+signal. */
    public static int exitCode(int status) {
        int sig = status & 0x7f;
        return sig == 0 ? (status >> 8) & 0xff : 128 + sig;
    }

    /**
     * _exit(2): ends the process at once with {@code status}, without the JVM's exit sequence (no shutdown hooks, no
     * AOT cache written, unflushed Java streams lost). Never returns.
     */
    public static void exitNow(int status) {
        try (Arena a = Arena.ofConfined()) {
            Native.call(EXIT_NOW, Native.errnoBuffer(a), status, 0, 0);
        }
        throw new IllegalStateException("_exit returned");
    }

    /**
     * Makes the calling thread the last to get a CPU (nice 19): on Linux a nice value belongs to a thread, so work
     * done ahead of time on such a thread takes only what nothing else wants. Fails quietly: it is an optimization.
     */
    public static void yieldToAllOthers() {
        try (Arena a = Arena.ofConfined()) {
            Native.call(SETPRIORITY, Native.errnoBuffer(a), 0 /* PRIO_PROCESS */, 0 /* this thread */, 19);
        }
    }

    public static int geteuid() {
        try (Arena a = Arena.ofConfined()) {
            return (int) Native.call(GETEUID, Native.errnoBuffer(a), 0, 0, 0);
        }
    }
}
