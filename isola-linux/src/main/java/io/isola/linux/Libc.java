package io.isola.linux;

import static io.isola.linux.Native.INT;
import static io.isola.linux.Native.LONG;
import static io.isola.linux.Native.PTR;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Typed wrappers for the few libc calls Isola needs. Each throws {@link LinuxException} on failure. */
public final class Libc {
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    public static final int CLONE_NEWNS = 0x00020000;
    public static final int CLONE_NEWUSER = 0x10000000;
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;
    public static final long MS_REC = 16384, MS_PRIVATE = 1 << 18;
    public static final int MNT_DETACH = 2;
    public static final int O_CLOEXEC = 02000000, O_NONBLOCK = 04000;
    public static final int S_IFCHR = 0020000;
    public static final int WNOHANG = 1;
    public static final int ESRCH = 3, EINTR = 4, ECHILD = 10, EBUSY = 16, EINVAL = 22;

    private static final MethodHandle MOUNT = Native.errnoCall("mount",
            FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, PTR));
    private static final MethodHandle UMOUNT2 = Native.errnoCall("umount2", FunctionDescriptor.of(INT, PTR, INT));
    private static final MethodHandle UNSHARE = Native.errnoCall("unshare", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle MKNOD = Native.errnoCall("mknod", FunctionDescriptor.of(INT, PTR, INT, LONG));
    private static final MethodHandle CHOWN = Native.errnoCall("lchown", FunctionDescriptor.of(INT, PTR, INT, INT));
    private static final MethodHandle CHMOD = Native.errnoCall("chmod", FunctionDescriptor.of(INT, PTR, INT));
    private static final MethodHandle PIPE2 = Native.errnoCall("pipe2", FunctionDescriptor.of(INT, PTR, INT));
    private static final MethodHandle OPEN = Native.errnoCall("open", FunctionDescriptor.of(INT, PTR, INT, INT));
    private static final MethodHandle CLOSE = Native.errnoCall("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle READ = Native.errnoCall("read", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle WRITE = Native.errnoCall("write", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle KILL = Native.errnoCall("kill", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle WAITPID = Native.errnoCall("waitpid", FunctionDescriptor.of(INT, INT, PTR, INT));
    private static final MethodHandle GETEUID = Native.plainCall("geteuid", FunctionDescriptor.of(INT));
    private static final MethodHandle GETPID = Native.plainCall("getpid", FunctionDescriptor.of(INT));

    private Libc() {}

    public static void mount(String source, String target, String fstype, long flags, String data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            int rc = (int) MOUNT.invokeExact(err, str(a, source), a.allocateFrom(target), str(a, fstype), flags,
                    str(a, data));
            Native.check("mount " + target, rc, err);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void umount2(String target, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            int rc = (int) UMOUNT2.invokeExact(err, a.allocateFrom(target), flags);
            Native.check("umount " + target, rc, err);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** unshare(2) for the calling thread only; CLONE_NEWNS works in a multi-threaded process. */
    public static void unshare(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            Native.check("unshare", (int) UNSHARE.invokeExact(err, flags), err);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** An overlayfs whiteout: a character device 0:0. */
    public static void mkWhiteout(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            Native.check("mknod " + path, (int) MKNOD.invokeExact(err, a.allocateFrom(path), S_IFCHR, 0L), err);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void chown(String path, int uid, int gid) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            Native.check("chown " + path, (int) CHOWN.invokeExact(err, a.allocateFrom(path), uid, gid), err);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void chmod(String path, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            Native.check("chmod " + path, (int) CHMOD.invokeExact(err, a.allocateFrom(path), mode), err);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** A close-on-exec pipe: [read end, write end]. */
    public static int[] pipe() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            MemorySegment fds = a.allocate(INT, 2);
            Native.check("pipe2", (int) PIPE2.invokeExact(err, fds, O_CLOEXEC), err);
            return new int[] {fds.getAtIndex(INT, 0), fds.getAtIndex(INT, 1)};
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Creates or truncates a file for writing, mode 0600, close-on-exec; returns the descriptor. */
    public static int createFile(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            int flags = 01 /* O_WRONLY */ | 0100 /* O_CREAT */ | 01000 /* O_TRUNC */ | O_CLOEXEC;
            return Native.check("open " + path, (int) OPEN.invokeExact(err, a.allocateFrom(path), flags, 0600), err);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int openReadOnly(String path) {
        return open(path, O_CLOEXEC);
    }

    /** Opens for writing, creating the file (0600) if needed; {@code append} keeps existing content. */
    public static int openWrite(String path, boolean append) {
        return open(path, 01 | 0100 | (append ? 02000 : 01000) | O_CLOEXEC);
    }

    private static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            return Native.check("open " + path, (int) OPEN.invokeExact(err, a.allocateFrom(path), flags, 0600), err);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            int rc = (int) CLOSE.invokeExact(err, fd);
            if (rc == -1 && Native.errno(err) != EINTR) {
                throw new LinuxException("close", Native.errno(err));
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Reads up to max bytes; returns an empty array at end of file. */
    public static byte[] read(int fd, int max) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            MemorySegment buf = a.allocate(max);
            while (true) {
                long n = (long) READ.invokeExact(err, fd, buf, (long) max);
                if (n == -1 && Native.errno(err) == EINTR) {
                    continue;
                }
                Native.check("read", n, err);
                return buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void write(int fd, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            MemorySegment buf = a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, data);
            long off = 0;
            while (off < data.length) {
                long n = (long) WRITE.invokeExact(err, fd, buf.asSlice(off), data.length - off);
                if (n == -1 && Native.errno(err) == EINTR) {
                    continue;
                }
                off += Native.check("write", n, err);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Sends a signal; returns false when the process no longer exists. */
    public static boolean kill(int pid, int signal) {
        if (pid <= 0) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            int rc = (int) KILL.invokeExact(err, pid, signal);
            if (rc == -1 && Native.errno(err) == ESRCH) {
                return false;
            }
            Native.check("kill", rc, err);
            return true;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Waits for a child. Returns the raw wait status, or -1 with WNOHANG when it is still running.
     * Only for children Isola spawned itself: the JDK's own reaper waits on its pids only, never on ours.
     */
    public static int waitpid(int pid, int options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            MemorySegment status = a.allocate(INT);
            while (true) {
                int rc = (int) WAITPID.invokeExact(err, pid, status, options);
                if (rc == -1 && Native.errno(err) == EINTR) {
                    continue;
                }
                Native.check("waitpid", rc, err);
                return rc == 0 ? -1 : status.get(INT, 0);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Shell-style exit code of a wait status: the exit code, or 128+signal. */
    public static int exitCode(int status) {
        int sig = status & 0x7f;
        return sig == 0 ? (status >> 8) & 0xff : 128 + sig;
    }

    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static MemorySegment str(Arena a, String s) {
        return s == null ? MemorySegment.NULL : a.allocateFrom(s);
    }
}
