package io.isola.sandbox;

import io.isola.linux.cgroup.Cgroup;

/** A cell made ahead of its task: cgroup and root file system ready, no process yet. */
record PreparedCell(String id, Cgroup cgroup, CellRootfs rootfs) {
    /** Drops it unused: its namespace (and with it every mount) and its cgroup. */
    void discard() {
        try {
            rootfs.release();
        } finally {
            cgroup.remove();
        }
    }
}
