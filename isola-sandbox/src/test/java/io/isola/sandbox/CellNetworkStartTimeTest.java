package io.isola.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Cell;
import io.isola.core.CellSpec;
import io.isola.core.Egress;
import io.isola.core.Stdio;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The price of a network: a cell that reaches out (the proxy bound in its namespace, its threads started) against
 * a cell with none, the time {@code SandboxEngine.start} takes (pool warm, bwrap spawned, pid 1 known), in-process,
 * interleaved so that the machine's drift hits both alike. The target is at most 2 ms more at the median.
 */
class CellNetworkStartTimeTest extends WithEngine {
    private static final int RUNS = 200, WARM_UP = 30;
    private static final Stdio QUIET = Stdio.files(Path.of("/dev/null"), Path.of("/dev/null"), Path.of("/dev/null"));

    @Test
    void aNetworkAddsAtMostTwoMillisecondsToACellsStart() throws Exception {
        Egress egress = (cellId, connection) -> {
            try {
                connection.close();
            } catch (java.io.IOException ignored) {
                // nothing to do
            }
        };
        CellSpec none = TestEgress.spec(null, "true");
        CellSpec net = TestEgress.spec(egress, "true");
        for (int i = 0; i < WARM_UP; i++) {
            time(none);
            time(net);
        }
        long[] n = new long[RUNS], w = new long[RUNS], diff = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            // Alternate which goes first, so that neither always follows the other's clean-up.
            if (i % 2 == 0) {
                n[i] = time(none);
                w[i] = time(net);
            } else {
                w[i] = time(net);
                n[i] = time(none);
            }
            diff[i] = w[i] - n[i];
        }
        double none50 = ms(median(n)), net50 = ms(median(w)), diff50 = ms(median(diff));
        System.out.printf("SandboxEngine.start, %d interleaved runs each: none median %.2f ms "
                + "p90 %.2f ms; network median %.2f ms p90 %.2f ms; median of paired differences %.2f ms%n",
                RUNS, none50, ms(pct(n, 90)), net50, ms(pct(w, 90)), diff50);
        // The paired differences: each network start against the cell with none right beside it, which cancels
        // most of what other work on the machine adds to both.
        assertThat(diff50).as("median of network start minus none, ms").isLessThanOrEqualTo(2.0);
    }

    /**
     * The time engine.start() takes: everything the network adds happens in it, and the task's own run (forks and
     * an exec, which vary by milliseconds on a loaded machine) stays out of the figure.
     */
    private static long time(CellSpec spec) throws InterruptedException {
        long t0 = System.nanoTime();
        try (Cell c = cells.engine.start(spec, QUIET)) {
            long t = System.nanoTime() - t0;
            assertThat(c.waitFor().exitCode()).isZero();
            return t;
        }
    }

    private static long median(long[] v) {
        return pct(v, 50);
    }

    private static long pct(long[] v, int p) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, s.length * p / 100)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
