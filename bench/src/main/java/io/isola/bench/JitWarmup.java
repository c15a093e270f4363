package io.isola.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Warms the benchmark's JVM until its JIT has compiled the measured paths. The issue asks for cell start "from a
 * warm JVM", and a JVM whose compiler thread still works on the hot path is not warm: on 2 cores that thread
 * competes with the cells and the code runs part-interpreted. Measured before this existed, 20 warm-up cells left
 * the first 300 measured ones ~10% slower than the next 300 in the same JVM.
 *
 * <p>Warm means: a round of the workload during which the JIT spent less than {@link #SETTLED} of the round's wall
 * time compiling. The round count is bounded, so a JIT that never settles cannot stall the benchmark.
 */
final class JitWarmup {
    /** Share of a round's wall time spent compiling below which the JIT counts as settled. */
    static final double SETTLED = 0.02;

    /** What the warm-up did, for the report. */
    record Result(int rounds, long wallMs, long compileMs, boolean settled) {
        String describe() {
            return rounds + " warm-up rounds, " + wallMs + " ms, JIT compile time " + compileMs + " ms"
                    + (settled ? "; settled" : "; not settled within the bound");
        }
    }

    private JitWarmup() {}

    /** Runs {@code round} until a round leaves the JIT idle enough, at most {@code maxRounds} times. */
    static Result run(Runnable round, int maxRounds) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long start = System.nanoTime();
        long compileStart = jit.getTotalCompilationTime();
        int rounds = 0;
        boolean settled = false;
        while (rounds < maxRounds && !settled) {
            long c0 = jit.getTotalCompilationTime();
            long t0 = System.nanoTime();
            round.run();
            rounds++;
            double wallMs = (System.nanoTime() - t0) / 1e6;
            settled = rounds > 1 && jit.getTotalCompilationTime() - c0 < SETTLED * wallMs;
        }
        return new Result(
                rounds, (System.nanoTime() - start) / 1_000_000, jit.getTotalCompilationTime() - compileStart, settled);
    }
}
