package io.isola.guard;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The guard's counts, bumped by several threads without a lock. */
final class GuardCounters {
    final LongAdder clean = new LongAdder(),
            callers = new LongAdder(),
            denied = new LongAdder(),
            lookups = new LongAdder(),
            hits = new LongAdder(),
            marked = new LongAdder(),
            recorded = new LongAdder();
    final AtomicLong overload = new AtomicLong();

    GuardStatus status(long pid, String since, List<String> watching, long dropped) {
        return new GuardStatus(
                pid,
                since,
                List.copyOf(watching),
                clean.sum(),
                callers.sum(),
                denied.sum(),
                overload.get(),
                lookups.sum(),
                hits.sum(),
                marked.sum(),
                recorded.sum(),
                dropped);
    }
}
