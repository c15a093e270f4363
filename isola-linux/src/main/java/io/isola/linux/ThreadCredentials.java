package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Changes the credentials of the calling thread only. Linux keeps credentials per thread; glibc's setresuid() and
 * friends hide that by changing every thread of the process, so these use the raw system calls.
 */
public final class ThreadCredentials {
    private static final long SYS_FACCESSAT2 = 439, AT_FDCWD = -100, AT_EACCESS = 0x200;
    private static final long SYS_SETRESUID = 117,
            SYS_SETRESGID = 119,
            SYS_SETGROUPS = 116,
            SYS_SETFSUID = 122,
            SYS_SETFSGID = 123;
    private static final int PR_SET_KEEPCAPS = 8;
    private static final int CAP_V3 = 0x20080522;
    private static final MemorySegment SYSCALL = Native.fn("syscall"),
            PRCTL = Native.fn("prctl"),
            CAPGET = Native.fn("capget"),
            CAPSET = Native.fn("capset");

    private ThreadCredentials() {}

    /**
     * Makes the calling thread {@code uid}/{@code gid} with no supplementary groups, keeping its capabilities
     * effective and root's file-system ids. What it starts afterwards runs as that user and, since execve() gives a
     * non-root user no capabilities from a file without file capabilities, without any privilege (execve also sets
     * the file-system ids to the effective ones). Files the thread itself creates still belong to root.
     * x86-64 and aarch64 only: glibc's syscall() there is plain assembly that reads integer registers, which is how
     * it is called here.
     */
    public static void becomeKeepingCapabilities(int uid, int gid) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment header = a.allocate(ValueLayout.JAVA_INT, 2);
            header.setAtIndex(ValueLayout.JAVA_INT, 0, CAP_V3);
            MemorySegment caps = a.allocate(ValueLayout.JAVA_INT, 6); // 2 x {effective, permitted, inheritable}
            Native.checked("capget", CAPGET, header.address(), caps.address(), 0);
            Native.checked("prctl(PR_SET_KEEPCAPS)", PRCTL, PR_SET_KEEPCAPS, 1, 0);
            Native.checked("setgroups", SYSCALL, SYS_SETGROUPS, 0, 0);
            Native.checked("setresgid", SYSCALL, SYS_SETRESGID, gid, gid, gid, 0);
            Native.checked("setresuid", SYSCALL, SYS_SETRESUID, uid, uid, uid, 0);
            // Leaving uid 0 cleared the effective set; the permitted set survived thanks to KEEPCAPS.
            for (int i = 0; i < 2; i++) {
                caps.setAtIndex(ValueLayout.JAVA_INT, i * 3, caps.getAtIndex(ValueLayout.JAVA_INT, i * 3 + 1));
                caps.setAtIndex(ValueLayout.JAVA_INT, i * 3 + 2, 0);
            }
            header.setAtIndex(ValueLayout.JAVA_INT, 1, 0);
            Native.checked("capset", CAPSET, header.address(), caps.address(), 0);
            Native.checked("prctl(PR_SET_KEEPCAPS)", PRCTL, PR_SET_KEEPCAPS, 0, 0);
            // setfsuid/setfsgid return the previous id rather than -1 on failure: check the result instead.
            Native.call(SYSCALL, Native.errnoBuffer(a), SYS_SETFSGID, 0, 0);
            Native.call(SYSCALL, Native.errnoBuffer(a), SYS_SETFSUID, 0, 0);
            if ((int) Native.call(SYSCALL, Native.errnoBuffer(a), SYS_SETFSUID, -1, 0) != 0) {
                throw new LinuxException("setfsuid", Libc.EINVAL);
            }
        }
    }

    /**
     * For a thread made by {@link #becomeKeepingCapabilities}: becomes {@code uid}/{@code gid} in four system calls
     * at most, keeping its capabilities (the kernel adjusts them only when a root id is involved). With
     * {@code rootFileIds} the thread keeps root's file-system ids, as {@link #becomeKeepingCapabilities} leaves
     * them; without, they are the user's, as a thread needs them when it starts a program as that user: execve()
     * makes a process non-dumpable when its file-system ids change, and the /proc files of a non-dumpable process
     * belong to root, so the program could not, say, write its own user namespace's maps.
     */
    public static void switchKeepingCapabilities(int uid, int gid, boolean rootFileIds) {
        try (Arena a = Arena.ofConfined()) {
            Native.checked("setresgid", SYSCALL, SYS_SETRESGID, gid, gid, gid, 0);
            Native.checked("setresuid", SYSCALL, SYS_SETRESUID, uid, uid, uid, 0); // file-system ids follow
            if (rootFileIds) {
                Native.call(SYSCALL, Native.errnoBuffer(a), SYS_SETFSGID, 0, 0);
                Native.call(SYSCALL, Native.errnoBuffer(a), SYS_SETFSUID, 0, 0);
                if ((int) Native.call(SYSCALL, Native.errnoBuffer(a), SYS_SETFSUID, -1, 0) != 0) {
                    throw new LinuxException("setfsuid", Libc.EINVAL);
                }
            }
        }
    }

    /**
     * Makes the calling thread {@code uid}/{@code gid} with exactly {@code groups}, for good: real, effective, saved
     * and file-system ids all change, and leaving uid 0 clears every capability. For a thread that starts a program
     * as the person who ran Isola through sudo and then ends; it can never become root again.
     */
    public static void dropTo(int uid, int gid, int[] groups) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment list = a.allocate(ValueLayout.JAVA_INT, Math.max(1, groups.length));
            for (int i = 0; i < groups.length; i++) {
                list.setAtIndex(ValueLayout.JAVA_INT, i, groups[i]);
            }
            Native.checked("setgroups", SYSCALL, SYS_SETGROUPS, groups.length, list.address());
            Native.checked("setresgid", SYSCALL, SYS_SETRESGID, gid, gid, gid, 0);
            Native.checked("setresuid", SYSCALL, SYS_SETRESUID, uid, uid, uid, 0);
        }
    }

    /**
     * Runs {@code work} on a new thread whose file-system ids and groups are the given user's, so that the kernel
     * checks its file accesses exactly as for that user (root's capabilities do not apply to a non-zero fsuid). For
     * opening a file on behalf of the person who ran Isola through sudo: the descriptor it returns stays usable.
     */
    public static <T> T asUser(int uid, int gid, int[] groups, java.util.concurrent.Callable<T> work) throws Exception {
        var result = new java.util.concurrent.CompletableFuture<T>();
        Thread t = Thread.ofPlatform().name("isola-as-user").start(() -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment list = a.allocate(ValueLayout.JAVA_INT, Math.max(1, groups.length));
                for (int i = 0; i < groups.length; i++) {
                    list.setAtIndex(ValueLayout.JAVA_INT, i, groups[i]);
                }
                Native.checked("setgroups", SYSCALL, SYS_SETGROUPS, groups.length, list.address());
                Native.call(SYSCALL, Native.errnoBuffer(a), SYS_SETFSGID, gid, 0);
                Native.call(SYSCALL, Native.errnoBuffer(a), SYS_SETFSUID, uid, 0);
                if ((int) Native.call(SYSCALL, Native.errnoBuffer(a), SYS_SETFSUID, -1, 0) != uid) {
                    throw new LinuxException("setfsuid", Libc.EINVAL);
                }
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        t.join();
        try {
            return result.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
        }
    }

    /**
     * Whether {@code uid}/{@code gid}, with no supplementary groups and no capabilities, may use {@code path} this
     * way ({@link Libc#R_OK} and the like), every folder on the way included: the kernel's own answer, ACLs and all,
     * given on a short-lived thread that takes those file-system ids and drops its effective capabilities. For uid 0
     * this is root without its privileges: what a process in a user namespace of its own gets when an idmapped
     * mount makes it root's owner, and no more. Call from a thread with CAP_SETUID and CAP_SETGID.
     */
    public static boolean mayAccess(int uid, int gid, String path, int mode) throws Exception {
        return asUser(uid, gid, new int[0], () -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment header = a.allocate(ValueLayout.JAVA_INT, 2);
                header.setAtIndex(ValueLayout.JAVA_INT, 0, CAP_V3);
                MemorySegment caps = a.allocate(ValueLayout.JAVA_INT, 6);
                Native.checked("capget", CAPGET, header.address(), caps.address(), 0);
                caps.setAtIndex(ValueLayout.JAVA_INT, 0, 0);
                caps.setAtIndex(ValueLayout.JAVA_INT, 3, 0);
                header.setAtIndex(ValueLayout.JAVA_INT, 1, 0);
                Native.checked("capset", CAPSET, header.address(), caps.address(), 0);
                // AT_EACCESS: the thread's own file-system ids and effective capabilities, not the real ones.
                return Native.call(
                                SYSCALL,
                                Native.errnoBuffer(a),
                                SYS_FACCESSAT2,
                                AT_FDCWD,
                                Native.str(a, path),
                                mode,
                                AT_EACCESS,
                                0)
                        == 0;
            }
        });
    }
}
