package io.isola.sandbox;

import io.isola.core.IsolaException;
import io.isola.core.ViewEntry;
import io.isola.linux.IdmappedMount;
import io.isola.linux.Libc;
import io.isola.linux.LinuxException;
import java.util.List;

/**
 * Mounts a task's --ro/--rw entries into a cell's root, idmapped so that the caller's files appear as the cell
 * uid's own and what the cell writes lands on disk as the caller's. Then a cell can be a host uid of its own (see
 * {@link CellUids}) and still read and write exactly what the caller gave it. Call inside the cell's mount namespace,
 * after its mount points exist.
 */
final class IdmappedView {
    /** An entry whose file system cannot be idmapped (ramfs, FUSE, NFS… or a kernel older than 5.12), and why. */
    record Refusal(String hostPath, String reason) {}

    private IdmappedView() {}

    /**
     * Mounts all entries, or none: when one cannot be idmapped, nothing is mounted and the refusal says which, so
     * that the cell can fall back to the caller's uid and bwrap's plain binds.
     */
    static Refusal mount(List<ViewEntry> view, CellRootfs rootfs, int usernsFd) {
        // Plain loops and arrays: a command line runs this interpreted, where a lambda costs milliseconds to link.
        int[] trees = new int[view.size()];
        java.util.Arrays.fill(trees, -1);
        try {
            for (int i = 0; i < trees.length; i++) {
                ViewEntry v = view.get(i);
                try {
                    trees[i] = IdmappedMount.cloneIdmapped(
                            v.hostPath().toString(), usernsFd, v.access() == ViewEntry.Access.READ_ONLY);
                } catch (LinuxException e) {
                    return new Refusal(v.hostPath().toString(), e.getMessage());
                }
            }
            // In the view's order, as bwrap binds: a later entry may lie inside an earlier one.
            for (int i = 0; i < trees.length; i++) {
                ViewEntry v = view.get(i);
                try {
                    IdmappedMount.attach(
                            trees[i], rootfs.inRoot(v.cellPath().toString()).toString());
                } catch (LinuxException e) {
                    throw new IsolaException(
                            "cannot show " + v.hostPath() + " at " + v.cellPath() + " in the cell: " + e.getMessage(),
                            2);
                }
            }
            return null;
        } finally {
            for (int t : trees) {
                Libc.close(t);
            }
        }
    }
}
