package io.isola.linux.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A cell cgroup in the real hierarchy at /sys/fs/cgroup: creation with limits, listing, removal. */
@Timeout(30)
@Tag("kernel")
class CgroupLifecycleTest {
    private static final long MEMORY = 64L << 20;

    private final String subtree = TestSubtree.uniqueName();
    private CgroupTree tree;

    @BeforeEach
    void openTree() {
        tree = CgroupTree.open(TestSubtree.ROOT, subtree);
    }

    @AfterEach
    void cleanUp() throws IOException {
        TestSubtree.remove(TestSubtree.ROOT, subtree);
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).trim();
    }

    @Test
    void openMakesTheSubtreeInEveryHierarchy() {
        for (Path dir : TestSubtree.directories(TestSubtree.ROOT, subtree)) {
            if (Files.exists(dir.getParent().resolve("cgroup.procs"))) {
                assertThat(dir.resolve("cgroup.procs")).exists();
            }
        }
        assertThat(tree.children()).isEmpty();
    }

    @Test
    void createWritesTheLimitsIntoTheKernelsFiles() throws IOException {
        Cgroup cg = tree.create("cell-limits", new CgroupLimits(MEMORY, 16, 0.5));
        assertThat(cg.name()).isEqualTo("cell-limits");
        if (tree.version() == CgroupVersion.V2) {
            Path d = cg.directories().get(0);
            assertThat(read(d.resolve("memory.max"))).isEqualTo(Long.toString(MEMORY));
            assertThat(read(d.resolve("pids.max"))).isEqualTo("16");
            assertThat(read(d.resolve("cpu.max"))).isEqualTo("50000 100000");
        } else {
            Path memory = dir(cg, "memory"), pids = dir(cg, "pids"), cpu = dir(cg, "cpu");
            assertThat(read(memory.resolve("memory.limit_in_bytes"))).isEqualTo(Long.toString(MEMORY));
            if (Files.exists(memory.resolve("memory.memsw.limit_in_bytes"))) {
                assertThat(read(memory.resolve("memory.memsw.limit_in_bytes"))).isEqualTo(Long.toString(MEMORY));
            }
            assertThat(read(pids.resolve("pids.max"))).isEqualTo("16");
            assertThat(read(cpu.resolve("cpu.cfs_period_us"))).isEqualTo("100000");
            assertThat(read(cpu.resolve("cpu.cfs_quota_us"))).isEqualTo("50000");
        }
    }

    @Test
    void zeroLimitsLeaveTheKernelDefaults() throws IOException {
        Cgroup cg = tree.create("cell-unlimited", new CgroupLimits(0, 0, 0));
        if (tree.version() == CgroupVersion.V2) {
            Path d = cg.directories().get(0);
            assertThat(read(d.resolve("memory.max"))).isEqualTo("max");
            assertThat(read(d.resolve("pids.max"))).isEqualTo("max");
            assertThat(read(d.resolve("cpu.max"))).startsWith("max ");
        } else {
            assertThat(Long.parseLong(read(dir(cg, "memory").resolve("memory.limit_in_bytes"))))
                    .isGreaterThan(1L << 50);
            assertThat(read(dir(cg, "pids").resolve("pids.max"))).isEqualTo("max");
            assertThat(read(dir(cg, "cpu").resolve("cpu.cfs_quota_us"))).isEqualTo("-1");
        }
    }

    @Test
    void childrenListsTheCellCgroupsByName() {
        tree.create("cell-b", new CgroupLimits(MEMORY, 16, 0));
        tree.create("cell-a", new CgroupLimits(MEMORY, 16, 0));
        assertThat(tree.children()).extracting(Cgroup::name).containsExactly("cell-a", "cell-b");
        // A tree opened later (a new Isola) finds the same leftovers.
        assertThat(CgroupTree.open(TestSubtree.ROOT, subtree).children())
                .extracting(Cgroup::name)
                .containsExactly("cell-a", "cell-b");
    }

    @Test
    void removeDeletesTheDirectoriesInEveryHierarchy() {
        Cgroup cg = tree.create("cell-gone", new CgroupLimits(MEMORY, 16, 0.5));
        List<Path> dirs = cg.directories();
        assertThat(dirs).isNotEmpty().allSatisfy(d -> assertThat(d).isDirectory());
        cg.remove();
        assertThat(dirs).allSatisfy(d -> assertThat(d).doesNotExist());
        assertThat(tree.children()).isEmpty();
        cg.remove(); // idempotent
    }

    private static Path dir(Cgroup cg, String controller) {
        return cg.directories().stream()
                .filter(d -> d.getParent().getParent().getFileName().toString().equals(controller))
                .findFirst()
                .orElseThrow();
    }
}
