package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Network namespaces of the calling thread. Like a mount namespace, a network namespace belongs to a thread: after
 * {@link #unshareWithLoopback} only the calling thread is in the new one, the sockets it opens there stay there for
 * their whole life, and the processes it spawns are born there. The rest of the JVM stays in the host's.
 */
public final class NetworkNamespace {
    public static final int CLONE_NEWNET = 0x40000000;
    private static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 02000000;
    private static final long SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
    private static final short IFF_UP = 0x1;
    /** struct ifreq: the interface name, then a union whose first member is the short ifr_flags. */
    private static final int IFREQ_SIZE = 40, IFNAMSIZ = 16;

    private static final long SYS_IOCTL = "aarch64".equals(System.getProperty("os.arch")) ? 29 : 16;
    private static final MemorySegment SOCKET = Native.fn("socket"), SYSCALL = Native.fn("syscall");

    private NetworkNamespace() {}

    /** A descriptor of the calling thread's network namespace (close-on-exec); it keeps the namespace alive. */
    public static int openCurrent() {
        return Libc.openReadOnly("/proc/thread-self/ns/net");
    }

    /**
     * Moves the calling thread into a new network namespace, owned by the thread's user namespace, and brings its
     * loopback up, which gives it 127.0.0.1 and ::1 (the kernel adds both when lo comes up). It has no other
     * interface and no route but loopback's. Needs CAP_SYS_ADMIN and CAP_NET_ADMIN.
     */
    public static void unshareWithLoopback() {
        Libc.unshare(CLONE_NEWNET);
        setUp("lo");
    }

    /** Moves the calling thread into the network namespace open at {@code fd}. */
    public static void enter(int fd) {
        Libc.setns(fd, CLONE_NEWNET);
    }

    /**
     * SIOCSIFFLAGS through a datagram socket, the oldest and simplest way to set a link up. ioctl is variadic in C,
     * so it goes through syscall(), plain assembly that reads integer registers (see {@link ThreadCredentials}).
     */
    private static void setUp(String ifname) {
        try (Arena a = Arena.ofConfined()) {
            int sock = (int) Native.checked("socket", SOCKET, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            try {
                MemorySegment req = a.allocate(IFREQ_SIZE, 8);
                byte[] name = ifname.getBytes(StandardCharsets.US_ASCII);
                if (name.length >= IFNAMSIZ) {
                    throw new IllegalArgumentException("interface name too long: " + ifname);
                }
                MemorySegment.copy(name, 0, req, ValueLayout.JAVA_BYTE, 0, name.length);
                Native.checked(
                        "ioctl(SIOCGIFFLAGS " + ifname + ")", SYSCALL, SYS_IOCTL, sock, SIOCGIFFLAGS, req.address(), 0);
                short flags = req.get(ValueLayout.JAVA_SHORT, IFNAMSIZ);
                req.set(ValueLayout.JAVA_SHORT, IFNAMSIZ, (short) (flags | IFF_UP));
                Native.checked(
                        "ioctl(SIOCSIFFLAGS " + ifname + ")", SYSCALL, SYS_IOCTL, sock, SIOCSIFFLAGS, req.address(), 0);
            } finally {
                Libc.close(sock);
            }
        }
    }
}
