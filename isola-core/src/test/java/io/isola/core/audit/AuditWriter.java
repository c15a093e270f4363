package io.isola.core.audit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** A writer of many events, run as a process of its own by the rotation tests (another Isola, in effect). */
public final class AuditWriter {
    static final String PADDING = "x".repeat(300);

    private AuditWriter() {}

    /** {@code FILE NAME THREADS EVENTS MAX_BYTES KEEP} */
    public static void main(String[] args) throws Exception {
        write(
                Path.of(args[0]),
                args[1],
                Integer.parseInt(args[2]),
                Integer.parseInt(args[3]),
                new AuditRotation(Long.parseLong(args[4]), Integer.parseInt(args[5])));
    }

    /** {@code threads} threads, each with a log of its own on {@code file}, write {@code events} events each. */
    static void write(Path file, String name, int threads, int events, AuditRotation rotation) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            String cell = name + t;
            all.add(Thread.ofPlatform().start(() -> {
                try (AuditLog log = AuditLog.open(file, rotation)) {
                    start.await();
                    for (int i = 0; i < events; i++) {
                        log.record(AuditEvent.of("test.event", cell, "seq", i, "padding", PADDING));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        start.countDown();
        for (Thread t : all) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("a writer failed", failures.get(0));
        }
    }
}
