package io.isola.linux.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.linux.Libc;
import io.isola.linux.Spawn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the kernel counts for a cgroup: refused forks, CPU time and OOM kills. */
@Timeout(30)
@Tag("kernel")
class CgroupAccountingTest {
    private final String subtree = TestSubtree.uniqueName();
    private CgroupTree tree;
    private int child = -1;
    private int[] gate = {-1, -1};

    @BeforeEach
    void openTree() {
        tree = CgroupTree.open(TestSubtree.ROOT, subtree);
    }

    @AfterEach
    void cleanUp() throws IOException {
        try {
            Libc.close(gate[0]);
            Libc.close(gate[1]);
            if (child > 0) {
                Libc.kill(child, Libc.SIGKILL);
                Libc.waitpid(child, 0);
            }
        } finally {
            TestSubtree.remove(TestSubtree.ROOT, subtree);
        }
    }

    /** Starts {@code script} in {@code cg}; it runs only once it is inside, then this waits for it to end. */
    private int runInside(Cgroup cg, String script) {
        gate = Libc.pipe();
        child = Spawn.of(List.of("/bin/sh", "-c", "read go; " + script))
                .fd(0, gate[0])
                .start();
        cg.add(child);
        Libc.write(gate[1], "go\n".getBytes(StandardCharsets.US_ASCII));
        int status = Libc.waitpid(child, 0);
        child = -1;
        return Libc.exitCode(status);
    }

    @Test
    void forksBeyondThePidsLimitAreRefusedAndCounted() {
        Cgroup cg = tree.create("cell-forks", new CgroupLimits(64L << 20, 2, 0));
        assertThat(cg.pidsLimitHits()).isZero();
        // The shell is one pid, the first sleep the second; the next forks must fail (killAll ends the sleep).
        runInside(cg, "exec 2>/dev/null; for i in 1 2 3 4; do /bin/sleep 5 & done");
        assertThat(cg.pidsLimitHits()).isPositive();
        cg.killAll();
    }

    @Test
    void cpuTimeOfTheProcessesInsideIsCounted() {
        Cgroup cg = tree.create("cell-cpu", new CgroupLimits(64L << 20, 16, 0));
        long before = cg.cpuNanos();
        int code = runInside(cg, "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done");
        assertThat(code).isZero();
        assertThat(cg.cpuNanos()).isGreaterThan(before + 10_000_000L);
    }

    @Test
    void aProcessOverTheMemoryLimitIsOomKilledAndCounted() {
        Cgroup cg = tree.create("cell-oom", new CgroupLimits(32L << 20, 16, 0));
        assertThat(cg.oomKills()).isZero();
        // The shell keeps the whole output of the substitution in its own memory: 200 MB against a 32 MB limit.
        int code = runInside(cg, "x=$(/usr/bin/head -c 200000000 /dev/zero | /usr/bin/tr '\\0' a); echo survived");
        assertThat(code).isEqualTo(128 + Libc.SIGKILL);
        assertThat(cg.oomKills()).isPositive();
    }
}
