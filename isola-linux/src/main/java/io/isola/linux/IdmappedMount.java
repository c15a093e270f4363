package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Idmapped bind mounts through the new mount API (Linux 5.12+): {@link #cloneIdmapped} makes a detached copy of a
 * mount tree whose file owners are translated through a user namespace's maps, {@link #attach} puts it in place.
 * On such a mount a file that belongs to uid U on disk appears to belong to whatever U maps to in the namespace,
 * and what that user creates there is written to disk as U.
 *
 * <p>The system call numbers are those of the generic table, the same on x86-64 and aarch64.
 */
public final class IdmappedMount {
    private static final long SYS_OPEN_TREE = 428, SYS_MOVE_MOUNT = 429, SYS_MOUNT_SETATTR = 442;
    private static final int OPEN_TREE_CLONE = 1,
            AT_RECURSIVE = 0x8000,
            AT_EMPTY_PATH = 0x1000,
            MOVE_MOUNT_F_EMPTY_PATH = 4,
            AT_FDCWD = -100;
    private static final long MOUNT_ATTR_RDONLY = 0x1,
            MOUNT_ATTR_NOSUID = 0x2,
            MOUNT_ATTR_NODEV = 0x4,
            MOUNT_ATTR_IDMAP = 0x00100000;
    /** struct mount_attr: attr_set, attr_clr, propagation, userns_fd, all __u64. */
    private static final int MOUNT_ATTR_SIZE = 32;

    private static final MemorySegment SYSCALL = Native.fn("syscall");

    private IdmappedMount() {}

    /**
     * A detached copy of the mount at {@code path} and every mount below it, idmapped through the user namespace
     * open at {@code usernsFd}, nosuid and nodev (as bubblewrap's binds are), read-only if asked. Symbolic links in
     * {@code path} are followed, as a bind mount follows them. The copy vanishes when its descriptor is closed
     * unless {@link #attach}ed first.
     *
     * @throws LinuxException from open_tree when the path cannot be opened, from mount_setattr (typically EINVAL)
     *     when a file system below it cannot be idmapped, and ENOSYS on a kernel without the new mount API
     */
    public static int cloneIdmapped(String path, int usernsFd, boolean readOnly) {
        // Constant call names and a bulk copy into the struct: a command line runs this interpreted, where each
        // string concatenation site and VarHandle costs milliseconds to link on first use.
        try (Arena a = Arena.ofConfined()) {
            int tree = (int) Native.checked(
                    "open_tree",
                    SYSCALL,
                    SYS_OPEN_TREE,
                    AT_FDCWD,
                    Native.str(a, path),
                    OPEN_TREE_CLONE | Libc.O_CLOEXEC | AT_RECURSIVE,
                    0);
            try {
                MemorySegment attr = a.allocate(MOUNT_ATTR_SIZE, 8);
                long set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (readOnly ? MOUNT_ATTR_RDONLY : 0);
                MemorySegment.copy(new long[] {set, 0, 0, usernsFd}, 0, attr, ValueLayout.JAVA_LONG, 0, 4);
                Native.checked(
                        "mount_setattr",
                        SYSCALL,
                        SYS_MOUNT_SETATTR,
                        tree,
                        Native.str(a, ""),
                        AT_EMPTY_PATH | AT_RECURSIVE,
                        attr.address(),
                        MOUNT_ATTR_SIZE);
                return tree;
            } catch (RuntimeException e) {
                Libc.close(tree);
                throw e;
            }
        }
    }

    /** Mounts the detached tree open at {@code treeFd} on {@code target}; the descriptor stays the caller's. */
    public static void attach(int treeFd, String target) {
        try (Arena a = Arena.ofConfined()) {
            Native.checked(
                    "move_mount",
                    SYSCALL,
                    SYS_MOVE_MOUNT,
                    treeFd,
                    Native.str(a, ""),
                    AT_FDCWD,
                    Native.str(a, target),
                    MOVE_MOUNT_F_EMPTY_PATH);
        }
    }
}
