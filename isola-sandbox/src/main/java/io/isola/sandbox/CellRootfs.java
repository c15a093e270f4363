package io.isola.sandbox;

import io.isola.core.TaskFiles;
import io.isola.core.ViewEntry;
import io.isola.linux.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A cell's whole root file system, assembled ahead of bwrap so that bwrap needs a single recursive bind for it.
 * One size-limited tmpfs per cell holds:
 * <ul>
 *   <li>{@code root/}: what the cell sees as "/". Each image layer is an overlay mounted here, with its upper
 *       directory in the same tmpfs: the copy-on-write layer. The cell's writable places (/tmp, /var/tmp, its home)
 *       are plain directories of the tmpfs, so the tmpfs size is the cell's disk quota whatever it writes to.</li>
 *   <li>{@code upper/}, {@code work/}: the overlays' private halves, outside {@code root/} and never visible.</li>
 *   <li>{@code shm/}: the cell's /dev/shm, where POSIX shared memory lives; here it counts against the disk quota
 *       like any other file (the rest of /dev is read-only).</li>
 *   <li>{@code proc/}: what covers the host's parts of the cell's /proc (see {@link ProcMask}).</li>
 * </ul>
 * It is mounted in a mount namespace of its own (see {@link MountNamespaceThread}), always at the same path, and
 * exists only as long as that namespace: while Isola holds its descriptor or the cell's bwrap runs in it.
 */
final class CellRootfs {
    private final Path dir;
    private final int namespace;
    /** The host ids of the cell's user: its own uid, or the caller's when its view cannot be idmapped. */
    private int uid;

    private int gid;

    private CellRootfs(Path dir, int namespace, int uid, int gid) {
        this.dir = dir;
        this.namespace = namespace;
        this.uid = uid;
        this.gid = gid;
    }

    /** Call on the namespace thread. */
    static CellRootfs mount(MountNamespaceThread ns, Path mountPoint, Image image, long diskBytes, int uid, int gid) {
        try {
            int fd = ns.newNamespace(() -> {
                // bwrap copies this namespace and tears its copy down again: the host's /sys (sysfs and a dozen
                // cgroup mounts) is never shown to a cell, so it goes before that copy is made.
                Libc.umount2("/sys", Libc.MNT_DETACH);
                Libc.mount(
                        "isola-cell",
                        mountPoint.toString(),
                        "tmpfs",
                        Libc.MS_NOSUID | Libc.MS_NODEV,
                        "mode=0755,size=" + diskBytes);
                new CellRootfs(mountPoint, -1, uid, gid).populate(image, uid, gid);
                return null;
            });
            return new CellRootfs(mountPoint, fd, uid, gid);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The descriptor of the cell's mount namespace. */
    int namespace() {
        return namespace;
    }

    private void populate(Image image, int uid, int gid) throws IOException {
        Path root = Files.createDirectory(dir.resolve("root"));
        int i = 0;
        // Sorted by depth of the path: a whole-root layer first, nested layers on top of it.
        for (Image.Layer layer : image.layers().stream()
                .sorted((a, b) -> a.cellPath().length() - b.cellPath().length())
                .toList()) {
            Path upper = Files.createDirectories(dir.resolve("upper/" + i));
            Path work = Files.createDirectories(dir.resolve("work/" + i));
            Path target = Files.createDirectories(inRoot(layer.cellPath()));
            mountOverlay(target, layer.lowerDirs(), upper, work);
            i++;
        }
        for (Image.Symlink s : image.symlinks()) {
            Files.createSymbolicLink(inRoot(s.cellPath()), Path.of(s.target()));
        }
        for (String d : new String[] {"proc", "dev", "run", "var"}) {
            Files.createDirectories(root.resolve(d));
        }
        Path shm = Files.createDirectory(shm());
        Libc.chown(shm.toString(), uid, gid);
        Libc.chmod(shm.toString(), 01777);
        ProcMask.writeCovers(Files.createDirectory(procCovers()));
        writable("/tmp", 01777, uid, gid);
        writable("/var/tmp", 01777, uid, gid);
        Files.createDirectories(root.resolve("home"));
        writable("/home/user", 0700, uid, gid);
    }

    /**
     * Mounts an overlay whose directories are named by descriptors, /proc/self/fd/N. A cell reads the mount options
     * in its /proc/self/mountinfo, and the host paths would tell it where Isola's state is, which under a user's
     * Isola is in their home and names them.
     */
    private static void mountOverlay(Path target, List<Path> lowers, Path upper, Path work) {
        List<Integer> fds = new ArrayList<>();
        try {
            StringBuilder lower = new StringBuilder();
            for (Path l : lowers) {
                fds.add(Libc.openReadOnly(l.toString()));
                lower.append(lower.isEmpty() ? "" : ":")
                        .append("/proc/self/fd/")
                        .append(fds.getLast());
            }
            fds.add(Libc.openReadOnly(upper.toString()));
            fds.add(Libc.openReadOnly(work.toString()));
            Libc.mount(
                    "overlay",
                    target.toString(),
                    "overlay",
                    Libc.MS_NOSUID | Libc.MS_NODEV,
                    "lowerdir=" + lower + ",upperdir=/proc/self/fd/" + fds.get(fds.size() - 2)
                            + ",workdir=/proc/self/fd/" + fds.getLast());
        } finally {
            fds.forEach(Libc::close);
        }
    }

    /**
     * Gives the cell's writable places to other host ids: for a cell that falls back to the caller's uid. Call
     * inside the cell's namespace, before {@link #addTaskFiles}.
     */
    void reown(int newUid, int newGid) {
        this.uid = newUid;
        this.gid = newGid;
        for (String p : WRITABLE) {
            Libc.chown(inRoot(p).toString(), newUid, newGid);
        }
    }

    /** The places of the root that belong to the cell's user (see {@link #populate}). */
    private static final String[] WRITABLE = {"/tmp", "/var/tmp", "/home/user"};

    private void writable(String cellPath, int mode, int uid, int gid) throws IOException {
        Path p = Files.createDirectories(inRoot(cellPath));
        Libc.chown(p.toString(), uid, gid);
        Libc.chmod(p.toString(), mode);
    }

    /**
     * Creates the mount points of the task's file view. bwrap binds them after it switched to the cell's user, who
     * may not create anything in the root, so they must exist beforehand. Call inside the cell's namespace.
     */
    void addMountPoints(List<ViewEntry> view) {
        try {
            for (ViewEntry v : view) {
                Path target = inRoot(v.cellPath().toString());
                if (Files.isDirectory(v.hostPath())) {
                    Files.createDirectories(target);
                } else if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target.getParent());
                    Files.createFile(target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the view in the cell: " + e.getMessage(), e);
        }
    }

    /**
     * Shows the task's input directories copy-on-write and creates its empty output directory, both owned by the
     * cell's user. An input's upper layer lies in this tmpfs, outside the root: the task's changes to its inputs
     * cost its disk quota, never touch the host, and are what {@link TaskOutput} finds later. Call inside the
     * cell's namespace.
     */
    void addTaskFiles(TaskFiles files) {
        try {
            int i = 0;
            for (TaskFiles.Input in : files.inputs()) {
                Path upper = Files.createDirectories(inputUpper(i));
                Path work = Files.createDirectories(dir.resolve("work/input-" + i));
                Libc.chown(upper.toString(), uid, gid);
                Path target = Files.createDirectories(inRoot(in.cellDir()));
                mountOverlay(target, List.of(in.hostDir()), upper, work);
                i++;
            }
            if (files.outputDir() != null) {
                writable(files.outputDir(), 0700, uid, gid);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the task's files in the cell: " + e.getMessage(), e);
        }
    }

    /** The copy-on-write layer of input {@code i}: every file the task created or changed there. */
    Path inputUpper(int i) {
        return dir.resolve("upper/input-" + i);
    }

    /** A cell path as seen from this namespace. */
    Path inRoot(String cellPath) {
        return dir.resolve("root" + (cellPath.equals("/") ? "" : cellPath));
    }

    /** The directory bwrap binds as the cell's /dev/shm. */
    Path shm() {
        return dir.resolve("shm");
    }

    /** The directory of the files that cover parts of the cell's /proc. */
    Path procCovers() {
        return dir.resolve("proc");
    }

    /** Where bwrap reads its arguments from, so that the cell's pid 1 shows none of them. */
    Path bwrapArgs() {
        return dir.resolve("bwrap.args");
    }

    /** The directory bwrap binds as the cell's "/". */
    Path root() {
        return dir.resolve("root");
    }

    /**
     * Lets go of the namespace. Once no bwrap runs in it any more, the kernel unmounts the tmpfs and every overlay
     * in it; nothing is left to clean.
     */
    void release() {
        Libc.close(namespace);
    }
}
