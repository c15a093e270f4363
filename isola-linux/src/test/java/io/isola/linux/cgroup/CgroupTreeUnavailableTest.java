package io.isola.linux.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where cgroups cannot be used, open says why and what to do, and creates nothing. */
class CgroupTreeUnavailableTest {
    @TempDir
    Path dir;

    @Test
    void anEmptyDirectoryIsNoCgroupHierarchy() throws IOException {
        assertThatThrownBy(() -> CgroupTree.open(dir, "isola"))
                .isInstanceOf(CgroupUnavailableException.class)
                .hasMessageContaining("no usable cgroup hierarchy at " + dir)
                .hasMessageContaining("mount cgroup2 there");
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aCgroup2HierarchyWithoutControllersSaysWhichIsMissing() throws IOException {
        // On hybrid hosts the unified hierarchy exists but the controllers Isola needs are bound to v1.
        Path unified = TestSubtree.ROOT.resolve("unified");
        assumeTrue(
                Files.exists(unified.resolve("cgroup.controllers"))
                        && !Files.readString(unified.resolve("cgroup.controllers"))
                                .contains("memory"),
                "a cgroup2 hierarchy without the memory controller");
        String subtree = TestSubtree.uniqueName();
        assertThatThrownBy(() -> CgroupTree.open(unified, subtree))
                .isInstanceOf(CgroupUnavailableException.class)
                .hasMessageContaining("lacks the memory controller")
                .hasMessageContaining("enable it");
        assertThat(unified.resolve(subtree)).doesNotExist();
    }

    @Test
    void aCgroup2HierarchyWithCpusetButNotCpuSaysCpuIsMissing() throws IOException {
        // Controller names are words: "cpuset" is not "cpu".
        Files.writeString(dir.resolve("cgroup.controllers"), "cpuset io memory pids\n");
        Files.writeString(dir.resolve("cgroup.subtree_control"), "cpuset io memory pids\n");
        assertThatThrownBy(() -> CgroupTree.open(dir, "isola"))
                .isInstanceOf(CgroupUnavailableException.class)
                .hasMessageContaining("lacks the cpu controller");
    }

    @Test
    void plainDirectoriesNamedLikeControllersAreNoCgroupHierarchy() throws IOException {
        Files.createDirectory(dir.resolve("memory"));
        Files.createDirectory(dir.resolve("pids"));
        assertThatThrownBy(() -> CgroupTree.open(dir, "isola").create("c", new CgroupLimits(1 << 26, 16, 0)))
                .isInstanceOf(CgroupUnavailableException.class)
                .hasMessageContaining(dir.toString());
    }
}
