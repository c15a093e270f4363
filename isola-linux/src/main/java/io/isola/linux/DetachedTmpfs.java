package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A tmpfs of a fixed size that is mounted nowhere: made with the new mount API (fsopen, fsconfig, fsmount) and held
 * only by a descriptor. Its files are reached through {@code /proc/self/fd/N/...}, and a copy of it can be shown to a
 * cell like any folder ({@link IdmappedMount#cloneIdmapped} on that path, on kernels that clone detached mounts).
 * Nothing of it is ever attached to the host's mount tree: when the descriptor and the cells that show it are gone,
 * even after a SIGKILL of the whole process, the kernel frees it, and it never touched a disk.
 */
public final class DetachedTmpfs {
    private static final long SYS_OPEN_TREE = 428, SYS_FSOPEN = 430, SYS_FSCONFIG = 431, SYS_FSMOUNT = 432;
    private static final int FSOPEN_CLOEXEC = 1,
            FSCONFIG_SET_STRING = 1,
            FSCONFIG_CMD_CREATE = 6,
            FSMOUNT_CLOEXEC = 1,
            MOUNT_ATTR_NOSUID = 0x2,
            MOUNT_ATTR_NODEV = 0x4,
            MOUNT_ATTR_NOEXEC = 0x8,
            OPEN_TREE_CLONE = 1,
            AT_EMPTY_PATH = 0x1000;
    private static final MemorySegment SYSCALL = Native.fn("syscall");

    private DetachedTmpfs() {}

    /**
     * Makes one: at most {@code bytes} of data (rounded up to pages) and {@code inodes} files, folders and links, the
     * root directory included; the root has permissions {@code mode}. No set-id, device or executable files work on
     * it.
     *
     * @return the descriptor of its root (close-on-exec); the caller closes it
     * @throws LinuxException when the kernel has no new mount API (ENOSYS), or refuses to clone a detached mount
     *     (EINVAL on older kernels), so that it could not be shown to a cell
     */
    public static int create(long bytes, int inodes, int mode) {
        try (Arena a = Arena.ofConfined()) {
            int fs = (int)
                    Native.checked("fsopen tmpfs", SYSCALL, SYS_FSOPEN, Native.str(a, "tmpfs"), FSOPEN_CLOEXEC, 0, 0);
            try {
                set(a, fs, "size", Long.toString(bytes));
                set(a, fs, "nr_inodes", Integer.toString(inodes));
                set(a, fs, "mode", "0" + Integer.toOctalString(mode));
                Native.checked("fsconfig create", SYSCALL, SYS_FSCONFIG, fs, FSCONFIG_CMD_CREATE, 0, 0, 0);
                int root = (int) Native.checked(
                        "fsmount",
                        SYSCALL,
                        SYS_FSMOUNT,
                        fs,
                        FSMOUNT_CLOEXEC,
                        MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                        0);
                try {
                    // The kernel must be able to clone it for a cell: find out now, in one clear error, not at the
                    // cell's start. The probe's copy is dissolved as soon as it is closed.
                    int probe = (int) Native.checked(
                            "open_tree of a detached tmpfs",
                            SYSCALL,
                            SYS_OPEN_TREE,
                            root,
                            Native.str(a, ""),
                            OPEN_TREE_CLONE | AT_EMPTY_PATH | Libc.O_CLOEXEC,
                            0);
                    Libc.close(probe);
                    return root;
                } catch (RuntimeException e) {
                    Libc.close(root);
                    throw e;
                }
            } finally {
                Libc.close(fs);
            }
        }
    }

    /** How much a file system holds at most: data bytes and names (files, folders, links, its root included). */
    public record Capacity(long bytes, long inodes) {}

    /** The capacity of the file system open at {@code fd} (fstatfs): what a copy of it elsewhere must hold too. */
    public static Capacity capacity(int fd) {
        try (Arena a = Arena.ofConfined()) {
            // struct statfs on x86-64: f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, ... (8 bytes each)
            MemorySegment st = a.allocate(120);
            Native.checked("fstatfs", FSTATFS, fd, st.address(), 0);
            long bsize = st.get(java.lang.foreign.ValueLayout.JAVA_LONG, 8);
            long blocks = st.get(java.lang.foreign.ValueLayout.JAVA_LONG, 16);
            long files = st.get(java.lang.foreign.ValueLayout.JAVA_LONG, 40);
            return new Capacity(bsize * blocks, files);
        }
    }

    private static final MemorySegment FSTATFS = Native.fn("fstatfs");

    /** The path that reaches the root of the tmpfs open at {@code fd}, from this process only. */
    public static String path(int fd) {
        return "/proc/self/fd/" + fd;
    }

    private static void set(Arena a, int fs, String key, String value) {
        Native.checked(
                "fsconfig " + key + "=" + value,
                SYSCALL,
                SYS_FSCONFIG,
                fs,
                FSCONFIG_SET_STRING,
                Native.str(a, key),
                Native.str(a, value),
                0);
    }
}
