package io.isola.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Limits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Two hundred cells, some crashing, hanging or forking, leave no mount, cgroup or process behind. */
@Tag("kernel")
class LeftoversTest {
    @Test
    void twoHundredCellsLeaveNothingBehind() throws Exception {
        String marker = "isola-leftover-" + System.nanoTime();
        long hostMountsBefore = Leftovers.hostMounts();
        long namespacesBefore = Leftovers.openMountNamespaces();
        try (TestCells cells = new TestCells()) {
            String[] scripts = {
                "true",
                "exit 3",
                "kill -SEGV $$",
                "bash -c 'exec -a " + marker + " sleep 600' & sleep 0.05; echo bg",
                "exec bash -c 'exec -a " + marker + " sleep 600'",
                "echo data > /tmp/x; mkdir -p $HOME/a/b; cat /tmp/x",
            };
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<TestCells.Result>> runs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String s = scripts[i % scripts.length];
                Limits limits =
                        s.startsWith("exec bash") ? Limits.DEFAULT.withTimeout(Duration.ofMillis(200)) : Limits.DEFAULT;
                runs.add(pool.submit(() -> cells.sh(s, limits)));
            }
            int killed = 0;
            for (Future<TestCells.Result> f : runs) {
                if (f.get().exit().reason() == io.isola.core.CellExit.Reason.KILLED) {
                    killed++;
                }
            }
            // The hanging cells really hung (and were killed by their timeout), so the check below means something.
            assertThat(killed).isEqualTo(200 / scripts.length + (200 % scripts.length > 4 ? 1 : 0));
            pool.shutdown();
            assertThat(cells.engine.cells()).isEmpty();
            assertThat(Leftovers.cellMountsInBaseNamespace(cells.engine)).isZero();
            CellLifecycleTest.waitUntil(() -> Leftovers.processesWith(marker + " 600") == 0);
        }
        // Closing the engine drops the prepared cells too: no cgroup, namespace or mount of any cell remains.
        assertThat(Leftovers.cellCgroups()).isEmpty();
        assertThat(Leftovers.openMountNamespaces()).isEqualTo(namespacesBefore);
        assertThat(Leftovers.hostMounts()).isEqualTo(hostMountsBefore);
    }
}
