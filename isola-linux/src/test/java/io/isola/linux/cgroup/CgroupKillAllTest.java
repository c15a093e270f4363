package io.isola.linux.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.linux.Libc;
import io.isola.linux.Spawn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real processes in a real cell cgroup: membership, killAll, removal after a kill. */
@Timeout(30)
@Tag("kernel")
class CgroupKillAllTest {
    private static final long MEMORY = 64L << 20;

    private final String subtree = TestSubtree.uniqueName();
    private CgroupTree tree;
    private int child = -1;

    @BeforeEach
    void openTree() {
        tree = CgroupTree.open(TestSubtree.ROOT, subtree);
    }

    @AfterEach
    void cleanUp() throws IOException {
        try {
            if (child > 0) {
                Libc.kill(child, Libc.SIGKILL);
                Libc.waitpid(child, 0);
            }
        } finally {
            TestSubtree.remove(TestSubtree.ROOT, subtree);
        }
    }

    private int spawnSleep() {
        child = Spawn.of(List.of("/bin/sleep", "30")).start();
        return child;
    }

    @Test
    void anAddedProcessIsListedUntilKillAllEmptiesTheCgroup() throws IOException, InterruptedException {
        Cgroup cg = tree.create("cell-procs", new CgroupLimits(MEMORY, 16, 0.5));
        assertThat(cg.processes()).isEmpty();
        int pid = spawnSleep();

        cg.add(pid);

        assertThat(cg.processes()).containsExactly(pid);
        assertThat(Files.readString(Path.of("/proc/" + pid + "/cgroup"))).contains("/" + subtree + "/cell-procs");
        cg.killAll();
        // SIGKILL is delivered at once but the process leaves the cgroup only when it has exited.
        assertThat(awaitNoProcesses(cg)).isEmpty();
        int status = Libc.waitpid(pid, 0);
        child = -1;
        assertThat(Libc.exitCode(status)).isEqualTo(128 + Libc.SIGKILL);
    }

    @Test
    void killAllAlsoKillsProcessesForkedInside() throws IOException, InterruptedException {
        Cgroup cg = tree.create("cell-tree", new CgroupLimits(MEMORY, 16, 0));
        int[] gate = Libc.pipe();
        try {
            // The shell forks only once it is inside, so its children start inside too.
            child = Spawn.of(List.of("/bin/sh", "-c", "read go; /bin/sleep 30 & /bin/sleep 30 & /bin/sleep 30 & wait"))
                    .fd(0, gate[0])
                    .start();
            cg.add(child);
            Libc.write(gate[1], "go\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (cg.processes().size() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            List<Integer> inside = cg.processes();
            assertThat(inside).hasSize(4).contains(child);

            cg.killAll();

            assertThat(awaitNoProcesses(cg)).isEmpty();
            assertThat(inside)
                    .allSatisfy(pid -> assertThat(Path.of("/proc/" + pid + "/cmdline"))
                            .satisfiesAnyOf(
                                    p -> assertThat(p).doesNotExist(),
                                    p -> assertThat(Files.readAllBytes(p))
                                            .as("zombie of pid " + pid)
                                            .isEmpty()));
            assertThat(Libc.exitCode(Libc.waitpid(child, 0))).isEqualTo(128 + Libc.SIGKILL);
            child = -1;
        } finally {
            Libc.close(gate[0]);
            Libc.close(gate[1]);
        }
    }

    @Test
    void removeAfterKillAllSucceedsWhileTheKilledChildIsStillUnreaped() {
        Cgroup cg = tree.create("cell-zombie", new CgroupLimits(MEMORY, 16, 0));
        cg.add(spawnSleep());
        cg.killAll();
        cg.remove();
        assertThat(cg.directories()).allSatisfy(d -> assertThat(d).doesNotExist());
    }

    private static List<Integer> awaitNoProcesses(Cgroup cg) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<Integer> left = cg.processes();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(2);
            left = cg.processes();
        }
        return left;
    }
}
