package io.isola.sandbox;

import io.isola.linux.cgroup.Cgroup;

/** A cell made ahead of its task: host uid, cgroup, root file system and network namespace ready, no process yet. */
record PreparedCell(String id, Cgroup cgroup, CellRootfs rootfs, CellUids.Lease uid, CellNetworks.Namespace network) {
    /** Drops it unused: its namespaces (and with them every mount), its cgroup and its uid. */
    void discard() {
        try {
            network.close();
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
