package io.isola.sandbox;

import io.isola.linux.cgroup.Cgroup;

/** A cell made ahead of its task: host uid, cgroup and root file system ready, no process yet. */
record PreparedCell(String id, Cgroup cgroup, CellRootfs rootfs, CellUids.Lease uid) {
    /** Drops it unused: its namespace (and with it every mount), its cgroup and its uid. */
    void discard() {
        try {
            rootfs.release();
        } finally {
            try {
                cgroup.remove();
            } finally {
                uid.close();
            }
        }
    }
}
