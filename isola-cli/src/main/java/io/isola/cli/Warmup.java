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

    /** A socket file where commands look for the daemon (whether it answers is for the command to find out). */
    private static boolean daemonLikely() {
        for (String p : io.isola.service.ServicePaths.candidates(System.getenv(), Libc.geteuid() == 0)) {
            if (java.nio.file.Files.exists(java.nio.file.Path.of(p))) {
                return true;
            }
        }
        return false;
    }

    static synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        Thread.ofPlatform().daemon().name("isola-warmup").start(() -> {
            Libc.geteuid();
            Trace.mark("C linked");
            if (daemonLikely()) {
                return; // the daemon writes the audit log: on two cores, warming JSON here only slows the client
            }
            AuditLog.warmUp();
            Trace.mark("JSON ready");
        });
    }
}
