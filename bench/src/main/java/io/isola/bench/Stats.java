package io.isola.bench;

import java.util.Arrays;

/** Latency samples of one contender, in nanoseconds. */
record Stats(String name, String command, long[] nanos) {
    double medianMs() {
        return percentile(50);
    }

    double p99Ms() {
        return percentile(99);
    }

    private double percentile(int p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))] / 1e6;
    }
}
