package io.isola.linux.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Most systemd hosts on cgroup v1 mount cpu and cpuacct as one hierarchy, cpu,cpuacct, with /sys/fs/cgroup/cpu and
 * /sys/fs/cgroup/cpuacct as symlinks to it. A root of symlinks into the real hierarchies reproduces that layout.
 */
@Tag("kernel")
class CgroupCoMountedCpuTest {
    @TempDir
    Path root;

    private final String subtree = TestSubtree.uniqueName();

    @AfterEach
    void removeSubtree() throws IOException {
        try {
            TestSubtree.remove(root, subtree);
        } finally {
            // The links point into /sys/fs/cgroup; remove them ourselves rather than leave them to @TempDir.
            for (String c : new String[] {"memory", "pids", "cpu", "cpuacct"}) {
                Files.deleteIfExists(root.resolve(c));
            }
        }
    }

    @Test
    void createWorksWhenCpuAndCpuacctAreOneHierarchy() throws IOException {
        Path real = TestSubtree.ROOT;
        assumeThat(real.resolve("cgroup.controllers")).as("cgroup v1").doesNotExist();
        Files.createSymbolicLink(root.resolve("memory"), real.resolve("memory"));
        Files.createSymbolicLink(root.resolve("pids"), real.resolve("pids"));
        Files.createSymbolicLink(root.resolve("cpu"), real.resolve("cpu"));
        Files.createSymbolicLink(root.resolve("cpuacct"), real.resolve("cpu"));

        Cgroup cg = CgroupTree.open(root, subtree).create("cell", new CgroupLimits(64L << 20, 16, 0.5));

        assertThat(Files.readString(root.resolve("cpu").resolve(subtree).resolve("cell/cpu.cfs_quota_us"))
                        .trim())
                .isEqualTo("50000");
        cg.remove();
        assertThat(root.resolve("cpu").resolve(subtree).resolve("cell")).doesNotExist();
    }
}
