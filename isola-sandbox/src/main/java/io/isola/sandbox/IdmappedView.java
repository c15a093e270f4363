package io.isola.sandbox;

import io.isola.core.IsolaException;
import io.isola.core.ViewEntry;
import io.isola.linux.IdmappedMount;
import io.isola.linux.Libc;
import io.isola.linux.LinuxException;
import java.util.ArrayList;
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
        List<Integer> trees = new ArrayList<>();
        try {
            for (ViewEntry v : view) {
                try {
                    trees.add(IdmappedMount.cloneIdmapped(v.hostPath().toString(), usernsFd,
                            v.access() == ViewEntry.Access.READ_ONLY));
                } catch (LinuxException e) {
                    return new Refusal(v.hostPath().toString(), e.getMessage());
                }
            }
            // In the view's order, as bwrap binds: a later entry may lie inside an earlier one.
            for (int i = 0; i < trees.size(); i++) {
                String target = rootfs.inRoot(view.get(i).cellPath().toString()).toString();
                try {
                    IdmappedMount.attach(trees.get(i), target);
                } catch (LinuxException e) {
                    throw new IsolaException("cannot show " + view.get(i).hostPath() + " at " + view.get(i).cellPath()
                            + " in the cell: " + e.getMessage(), 2);
                }
            }
            return null;
        } finally {
            trees.forEach(Libc::close);
        }
    }
}
