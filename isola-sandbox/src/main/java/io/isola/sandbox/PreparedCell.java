package io.isola.sandbox;

import io.isola.linux.cgroup.Cgroup;

/** A cell made ahead of its task: cgroup, root file system and network namespace ready, no process yet. */
record PreparedCell(String id, Cgroup cgroup, CellRootfs rootfs, CellNetworks.Namespace network) {
    /** Drops it unused: its namespaces (and with them every mount) and its cgroup. */
    void discard() {
        try {
            network.close();
            rootfs.release();
        } finally {
            cgroup.remove();
        }
    }
}
