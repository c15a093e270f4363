package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Named Unix stream sockets with what Java's own channels lack: the peer's kernel-checked identity (SO_PEERCRED)
 * and descriptors passed along a message (SCM_RIGHTS). The service's socket and its clients use them. x86-64 and
 * aarch64 layouts (LP64: msghdr 56 bytes, cmsghdr header 16).
 */
public final class UnixSockets {
    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, SO_PEERCRED = 17, SO_RCVTIMEO = 20;
    private static final int MSG_NOSIGNAL = 0x4000, MSG_CTRUNC = 0x8, MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int ECONNREFUSED = 111, ENOENT = 2, EAGAIN = 11;
    private static final int PATH_MAX = 107;
    /** At most this many descriptors travel in one message: a request carries stdin, stdout and stderr. */
    public static final int MAX_FDS = 3;

    private static final MemorySegment SOCKET = Native.fn("socket"),
            BIND = Native.fn("bind"),
            LISTEN = Native.fn("listen"),
            ACCEPT4 = Native.fn("accept4"),
            CONNECT = Native.fn("connect"),
            GETSOCKOPT = Native.fn("getsockopt"),
            SETSOCKOPT = Native.fn("setsockopt"),
            SENDMSG = Native.fn("sendmsg"),
            RECVMSG = Native.fn("recvmsg"),
            SENDTO = Native.fn("sendto");

    private UnixSockets() {}

    /** The peer's process, user and group ids, as the kernel recorded them when the peer connected. */
    public record Peer(int pid, int uid, int gid) {}

    /** Bytes read and the descriptors that came with them (close-on-exec; the receiver owns them). */
    public record Received(byte[] data, int[] fds) {}

    /** A listening stream socket bound at {@code path} (which must not exist). */
    public static int listen(String path, int backlog) {
        int fd = (int) Native.checked("socket", SOCKET, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = address(a, path);
            Native.checked("bind " + path, BIND, fd, addr.address(), addr.byteSize());
            Native.checked("listen " + path, LISTEN, fd, backlog, 0);
            return fd;
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** A connection to the socket at {@code path}, or -1 when nothing listens there (no file, or refused). */
    public static int connect(String path) {
        int fd = (int) Native.checked("socket", SOCKET, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = address(a, path);
            MemorySegment err = Native.errnoBuffer(a);
            while (true) {
                if ((int) Native.call(CONNECT, err, fd, addr.address(), addr.byteSize()) == 0) {
                    return fd;
                }
                int errno = Native.errno(err);
                if (errno == Libc.EINTR) {
                    continue;
                }
                Libc.close(fd);
                if (errno == ENOENT
                        || errno == ECONNREFUSED
                        || errno == Libc.EACCES
                        || errno == Libc.ENOTDIR
                        || errno == EAGAIN) {
                    return -1;
                }
                throw new LinuxException("connect " + path, errno);
            }
        } catch (IllegalArgumentException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** The next connection (close-on-exec); blocks. Throws once the socket was shut down. */
    public static int accept(int listening) {
        return (int) Native.checked("accept", ACCEPT4, listening, 0, 0, SOCK_CLOEXEC, 0);
    }

    public static Peer peer(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cred = a.allocate(ValueLayout.JAVA_INT, 3);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, 12);
            Native.checked(
                    "getsockopt(SO_PEERCRED)", GETSOCKOPT, fd, SOL_SOCKET, SO_PEERCRED, cred.address(), len.address());
            return new Peer(
                    cred.getAtIndex(ValueLayout.JAVA_INT, 0),
                    cred.getAtIndex(ValueLayout.JAVA_INT, 1),
                    cred.getAtIndex(ValueLayout.JAVA_INT, 2));
        }
    }

    /** Reads block at most {@code millis} (0: forever); a read that times out throws with errno EAGAIN. */
    public static void receiveTimeout(int fd, long millis) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tv = a.allocate(ValueLayout.JAVA_LONG, 2);
            tv.setAtIndex(ValueLayout.JAVA_LONG, 0, millis / 1000);
            tv.setAtIndex(ValueLayout.JAVA_LONG, 1, (millis % 1000) * 1000);
            Native.checked("setsockopt(SO_RCVTIMEO)", SETSOCKOPT, fd, SOL_SOCKET, SO_RCVTIMEO, tv.address(), 16);
        }
    }

    /** Sends all of {@code data}; {@code fds} (may be empty) go with its first byte. Never raises SIGPIPE. */
    public static void send(int fd, byte[] data, int[] fds) {
        if (fds.length > MAX_FDS) {
            throw new IllegalArgumentException("at most " + MAX_FDS + " descriptors per message");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocateFrom(ValueLayout.JAVA_BYTE, data);
            MemorySegment iov = a.allocate(16, 8);
            MemorySegment msg = a.allocate(56, 8);
            MemorySegment control = a.allocate(16 + 16, 8);
            int off = 0;
            boolean first = true;
            do {
                iov.set(ValueLayout.JAVA_LONG, 0, buf.address() + off);
                iov.set(ValueLayout.JAVA_LONG, 8, data.length - off);
                msg.fill((byte) 0);
                msg.set(ValueLayout.JAVA_LONG, 16, iov.address());
                msg.set(ValueLayout.JAVA_LONG, 24, 1);
                if (first && fds.length > 0) {
                    control.fill((byte) 0);
                    control.set(ValueLayout.JAVA_LONG, 0, 16 + 4L * fds.length); // CMSG_LEN
                    control.set(ValueLayout.JAVA_INT, 8, SOL_SOCKET);
                    control.set(ValueLayout.JAVA_INT, 12, SCM_RIGHTS);
                    for (int i = 0; i < fds.length; i++) {
                        control.set(ValueLayout.JAVA_INT, 16 + 4L * i, fds[i]);
                    }
                    msg.set(ValueLayout.JAVA_LONG, 32, control.address());
                    msg.set(ValueLayout.JAVA_LONG, 40, 16 + ((4L * fds.length + 7) & ~7)); // CMSG_SPACE
                }
                off += (int) Native.checked("sendmsg", SENDMSG, fd, msg.address(), MSG_NOSIGNAL);
                first = false;
            } while (off < data.length);
        }
    }

    /**
     * Reads up to {@code max} bytes and any descriptors that came with them (up to {@link #MAX_FDS}). Descriptors
     * beyond that are closed by the kernel, and then this throws: a sender that sends more is not a client. An
     * empty array means the peer closed its end.
     */
    public static Received receive(int fd, int max) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(max);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(ValueLayout.JAVA_LONG, 0, buf.address());
            iov.set(ValueLayout.JAVA_LONG, 8, max);
            int space = 16 + ((4 * MAX_FDS + 7) & ~7);
            MemorySegment control = a.allocate(space, 8);
            MemorySegment msg = a.allocate(56, 8);
            msg.set(ValueLayout.JAVA_LONG, 16, iov.address());
            msg.set(ValueLayout.JAVA_LONG, 24, 1);
            msg.set(ValueLayout.JAVA_LONG, 32, control.address());
            msg.set(ValueLayout.JAVA_LONG, 40, space);
            long n = Native.checked("recvmsg", RECVMSG, fd, msg.address(), MSG_CMSG_CLOEXEC);
            int[] fds = new int[0];
            long controlLen = msg.get(ValueLayout.JAVA_LONG, 40);
            if (controlLen >= 16
                    && control.get(ValueLayout.JAVA_INT, 8) == SOL_SOCKET
                    && control.get(ValueLayout.JAVA_INT, 12) == SCM_RIGHTS) {
                int count = (int) ((control.get(ValueLayout.JAVA_LONG, 0) - 16) / 4);
                fds = new int[Math.max(0, Math.min(count, MAX_FDS))];
                for (int i = 0; i < fds.length; i++) {
                    fds[i] = control.get(ValueLayout.JAVA_INT, 16 + 4L * i);
                }
            }
            if ((msg.get(ValueLayout.JAVA_INT, 48) & MSG_CTRUNC) != 0) {
                for (int f : fds) {
                    Libc.close(f);
                }
                throw new LinuxException("recvmsg: more descriptors than " + MAX_FDS + " were sent", Libc.EINVAL);
            }
            return new Received(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), fds);
        }
    }

    /**
     * Sends one datagram to the Unix socket at {@code path} ({@code @name} is Linux's abstract namespace), as
     * systemd's sd_notify does with NOTIFY_SOCKET.
     */
    public static void datagram(String path, String text) {
        int fd = (int) Native.checked("socket", SOCKET, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = address(a, path);
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            MemorySegment buf = a.allocateFrom(ValueLayout.JAVA_BYTE, b);
            Native.checked(
                    "sendto " + path,
                    SENDTO,
                    fd,
                    buf.address(),
                    b.length,
                    MSG_NOSIGNAL,
                    addr.address(),
                    addr.byteSize());
        } finally {
            Libc.close(fd);
        }
    }

    /** sockaddr_un for {@code path}; a leading '@' names the abstract namespace. */
    private static MemorySegment address(Arena a, String path) {
        boolean abstractName = path.startsWith("@");
        byte[] p = (abstractName ? "\0" + path.substring(1) : path).getBytes(StandardCharsets.UTF_8);
        if (p.length == 0 || p.length > PATH_MAX || (!abstractName && path.indexOf('\0') >= 0)) {
            throw new IllegalArgumentException("a Unix socket path must have 1 to " + PATH_MAX + " bytes: " + path);
        }
        MemorySegment addr = a.allocate(2 + p.length + (abstractName ? 0 : 1), 8);
        addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(p, 0, addr, ValueLayout.JAVA_BYTE, 2, p.length);
        return addr;
    }
}
