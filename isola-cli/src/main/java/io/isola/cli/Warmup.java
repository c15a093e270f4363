package io.isola.cli;

import io.isola.core.Trace;
import io.isola.core.audit.AuditLog;
import io.isola.linux.Libc;

/**
 * Linking to C (the FFM stubs) is the longest single step of a command-line start, and nothing about it depends on
 * the arguments: it starts on a spare core the moment main() knows cells will be made.
 */
final class Warmup {
    private static boolean started;

    private Warmup() {}

    static synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        Thread.ofPlatform().daemon().name("isola-warmup").start(() -> {
            Libc.geteuid();
            Trace.mark("C linked");
            AuditLog.warmUp();
            Trace.mark("JSON ready");
        });
    }
}
