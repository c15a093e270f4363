package io.isola.guard;

import io.isola.core.audit.AuditEvent;
import io.isola.core.audit.AuditLog;
import io.isola.linux.FileFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything a decision causes besides its answer: the audit event, the line in the guard's record, the desktop
 * notification. It runs on a thread of its own behind a bounded queue, so a slow disk, a full audit lock or a hung
 * {@code notify-send} never delays an answer to the kernel; when the queue is full the report is dropped and
 * counted.
 */
final class Reporter implements AutoCloseable {
    private static final long NOTIFY_EVERY_NANOS = 10_000_000_000L;

    private final AuditLog audit;
    private final TaintRecord record;
    private final BlockingQueue<Runnable> work = new ArrayBlockingQueue<>(4096);
    private final Map<String, Long> notified = new ConcurrentHashMap<>();
    final AtomicLong dropped = new AtomicLong();
    private final Thread thread;

    Reporter(AuditLog audit, TaintRecord record) {
        this.audit = audit;
        this.record = record;
        this.thread = Thread.ofPlatform().daemon().name("isola-guard-reporter").start(this::loop);
    }

    void blocked(int pid, String program, long uid, String path, String why) {
        submit(() -> {
            audit.record(AuditEvent.of(
                    "file.blocked",
                    null,
                    "path",
                    path,
                    "pid",
                    pid,
                    "program",
                    program,
                    "uid",
                    uid,
                    "reason",
                    why,
                    "open_with",
                    "isola open " + path));
            notifyDesktop(uid, path);
        });
    }

    void recorded(FileFacts.Stat stat, String path, String why) {
        submit(() -> {
            record.persist(stat, path, why);
            audit.record(AuditEvent.of("file.recorded", null, "path", path, "reason", why));
        });
    }

    void marked(String path, int pid) {
        String program = Callers.program(pid);
        submit(() -> audit.record(AuditEvent.of(
                "file.marked", null, "path", path, "mark", "user.isola.origin=unknown", "program", program)));
    }

    void overload(String answer, long count) {
        submit(() -> audit.record(AuditEvent.of("guard.overload", null, "answer", answer, "count", count)));
    }

    void event(AuditEvent e) {
        submit(() -> audit.record(e));
    }

    private void submit(Runnable r) {
        if (!work.offer(r)) {
            dropped.incrementAndGet();
        }
    }

    /** Best effort: tells the person whose program was refused how to open the file, where a session bus exists. */
    private void notifyDesktop(long uid, String path) {
        Long last = notified.get(path);
        long now = System.nanoTime();
        Path bus = Path.of("/run/user/" + uid + "/bus");
        if (uid < 0 || (last != null && now - last < NOTIFY_EVERY_NANOS) || !Files.exists(bus)) {
            return;
        }
        notified.put(path, now);
        try {
            ProcessBuilder pb = new ProcessBuilder(
                    "setpriv",
                    "--reuid=" + uid,
                    "--regid=" + uid,
                    "--clear-groups",
                    "notify-send",
                    "--app-name=Isola",
                    "Isola kept an untrusted file closed",
                    path + "\nOpen it in a cell: isola open " + path + "\nor as a safe view: isola open --view "
                            + path);
            pb.environment().put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + bus);
            pb.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (java.io.IOException | RuntimeException noNotifier) {
            // no notify-send here: the audit log and the program's EPERM say it already
        }
    }

    private void loop() {
        while (true) {
            try {
                work.take().run();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                dropped.incrementAndGet();
            }
        }
    }

    /** Finishes what is queued (for at most a second), then stops. */
    @Override
    public void close() {
        long end = System.nanoTime() + 1_000_000_000L;
        while (!work.isEmpty() && System.nanoTime() < end) {
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                break;
            }
        }
        thread.interrupt();
    }
}
