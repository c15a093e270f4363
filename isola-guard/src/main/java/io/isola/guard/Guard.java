package io.isola.guard;

import io.isola.core.audit.AuditEvent;
import io.isola.core.audit.AuditLog;
import io.isola.core.policy.GuardRules;
import io.isola.core.policy.TrustClassifier;
import io.isola.linux.Fanotify;
import io.isola.linux.FileFacts;
import io.isola.linux.LinuxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Untrusted files open only in cells: a fanotify permission listener on the mounts of {@code [guard] paths} that
 * denies (EPERM) every host process but Isola's cells, Isola itself and the allowed programs opening or executing a
 * file that carries evidence of being untrusted ({@link Judge}), and marks what host programs create in
 * {@code [guard] mark} places.
 *
 * <p>Never hang the machine: one thread reads requests and hands them to a few workers through a bounded queue; a
 * request that finds the queue full, or waits longer than {@code answer-within}, gets the {@code on-overload} answer
 * at once. Nothing on the decision path waits on user space (no DNS, no policy reload, no audit lock: reports go to
 * {@link Reporter}). Files judged clean get an ignore mark, so the kernel stops asking about them until they are
 * written to. When the guard's process dies the kernel closes the group and lets every open through.
 */
public final class Guard implements AutoCloseable {
    static final long ASKED = Fanotify.FAN_OPEN_PERM | Fanotify.FAN_OPEN_EXEC_PERM;
    private static final int WORKERS = 2;

    private final GuardRules rules;
    private final Fanotify group;
    private final Judge judge;
    private final Callers callers;
    private final TaintRecord record;
    private final Reporter reporter;
    private final ContentHasher hasher;
    private final VerdictCache cache = new VerdictCache(1 << 18);
    private final Path stateDir;
    private final String statePrefix;
    private final long answerWithinNanos;
    private final BlockingQueue<Request> queue = new ArrayBlockingQueue<>(8192);
    private final Set<Request> inFlight = ConcurrentHashMap.newKeySet();
    private final GuardCounters counts = new GuardCounters();
    private final List<Thread> threads = new ArrayList<>();
    private final List<String> watching = new ArrayList<>();
    private final String since = Instant.now().toString();
    private volatile boolean running = true;

    private Guard(GuardRules rules, TrustClassifier classifier, Path stateDir, AuditLog audit) {
        this.rules = rules;
        this.stateDir = stateDir.toAbsolutePath().normalize();
        this.statePrefix = this.stateDir + "/";
        this.answerWithinNanos = rules.answerWithin().toNanos();
        try {
            Files.createDirectories(this.stateDir.resolve("guard"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot make the guard's state directory: check " + stateDir, e);
        }
        this.record = new TaintRecord(recordFile(this.stateDir));
        this.judge = new Judge(classifier, record);
        Set<String> allowed = new HashSet<>();
        for (Path a : rules.allow()) {
            try {
                allowed.add(a.toRealPath().toString()); // the kernel names an executable by its real path
            } catch (IOException missing) {
                allowed.add(a.toString());
            }
        }
        this.callers = Callers.forThisHost((int) ProcessHandle.current().pid(), allowed);
        this.reporter = new Reporter(audit, record);
        this.hasher = new ContentHasher(record);
        this.group = Fanotify.open();
    }

    /**
     * Starts watching. Places that do not exist are skipped and named by {@link #watching()}.
     *
     * @throws LinuxException when the kernel refuses (not root, or no fanotify permission events)
     */
    public static Guard start(GuardRules rules, TrustClassifier classifier, Path stateDir, AuditLog audit) {
        Guard g = new Guard(rules, classifier, stateDir, audit);
        try {
            g.watch();
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
        g.threads.add(Thread.ofPlatform().daemon().name("isola-guard-reader").start(g::read));
        for (int i = 0; i < WORKERS; i++) {
            g.threads.add(
                    Thread.ofPlatform().daemon().name("isola-guard-worker-" + i).start(g::work));
        }
        g.threads.add(Thread.ofPlatform().daemon().name("isola-guard-watchdog").start(g::watchdog));
        g.reporter.event(AuditEvent.of("guard.started", null, "watching", List.copyOf(g.watching)));
        return g;
    }

    private void watch() {
        for (Path p : rules.paths()) {
            if (Files.isDirectory(p)) {
                group.watchMount(p.toString(), ASKED);
                watching.add(p.toString());
            }
        }
    }

    static Path recordFile(Path stateDir) {
        return stateDir.resolve("guard").resolve("untrusted.tsv");
    }

    /** The places watched (those of {@code [guard] paths} that exist). */
    public List<String> watching() {
        return List.copyOf(watching);
    }

    private void read() {
        int self = (int) ProcessHandle.current().pid();
        while (running) {
            List<Fanotify.Event> events;
            try {
                events = group.next(100);
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                throw e;
            }
            for (Fanotify.Event e : events) {
                if (e.fd() < 0) {
                    continue;
                }
                Request r = new Request(group, e);
                if (e.pid() == self) { // the guard's own reports and status; never judged, never waited on
                    r.answer(true);
                    r.close();
                    continue;
                }
                inFlight.add(r);
                if (!queue.offer(r)) {
                    overloaded(r);
                    inFlight.remove(r);
                    r.close();
                }
            }
        }
    }

    private void work() {
        while (running) {
            Request r;
            try {
                r = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (r == null) {
                continue;
            }
            try {
                if (!r.answered()) {
                    decide(r);
                }
            } catch (RuntimeException e) {
                overloaded(r); // a file that cannot be judged (gone, unreadable xattrs) gets the overload answer
            } finally {
                inFlight.remove(r);
                r.close();
            }
        }
    }

    private void decide(Request r) {
        FileFacts.Stat st = FileFacts.stat(r.fd());
        if (!st.isRegular()) {
            answerClean(r, true);
            return;
        }
        counts.lookups.increment();
        Judge.Judgement j = cache.get(st);
        String path = null;
        if (j != null) {
            counts.hits.increment();
        } else {
            path = FileFacts.path(r.fd());
            if (path.startsWith(statePrefix)) { // Isola's own state: never judged (its quarantine is root's)
                answerClean(r, false);
                return;
            }
            j = judge.judge(r.fd(), st, path);
            if (!j.untrusted() && st.size() == 0 && markOnArrival(r, path)) {
                return;
            }
            cache.put(st, j);
            if (j.untrusted() && record.add(st)) {
                counts.recorded.increment();
                reporter.recorded(st, path, j.why());
                hasher.hashLater(r.fd(), st, path); // its content too, so a copy without the marks is known
            }
        }
        if (!j.untrusted()) {
            answerClean(r, st.size() > 0); // an empty file is about to be filled: judge what it will hold
            return;
        }
        if (st.size() == 0) { // nothing to read yet: the program that is filling it keeps working
            answerClean(r, false);
            return;
        }
        if (callers.allowedBecause(r.pid()) != null) {
            if (r.answer(true)) {
                counts.callers.increment();
            }
            return;
        }
        // who asked is read while the process still waits: once refused, it may be gone
        String program = Callers.program(r.pid());
        long uid = Callers.effectiveUid(r.pid());
        if (r.answer(false)) {
            counts.denied.increment();
            reporter.blocked(r.pid(), program, uid, path != null ? path : FileFacts.path(r.fd()), j.why());
        }
    }

    /**
     * Allows the open; with {@code stopAsking}, the kernel stops asking about the file until it is written. The
     * ignore mark goes on before the answer, while the opener still waits: put on after, a write made in between
     * (a copier that created the file and filled it at once) would not clear it, and the filled file would keep a
     * verdict judged on its empty self.
     */
    private void answerClean(Request r, boolean stopAsking) {
        if (stopAsking && !r.answered()) {
            try {
                group.stopAsking(r.fd(), ASKED);
            } catch (RuntimeException notMarked) {
                // the kernel asks again next time: slower, never wrong
            }
        }
        if (r.answer(true)) {
            counts.clean.increment();
        }
    }

    /**
     * A host program creating a file in a mark place: a file that is still empty and carries no origin mark gets
     * {@code user.isola.origin = unknown}, so a download stays untrusted even from a browser that writes no marks.
     */
    private boolean markOnArrival(Request r, String path) {
        boolean inMarkPlace = rules.mark().stream().anyMatch(m -> path.startsWith(m + "/"));
        if (!inMarkPlace || !Judge.marks(r.fd()).origins().isEmpty() || callers.allowedBecause(r.pid()) != null) {
            return false;
        }
        FileFacts.setXattr(r.fd(), "user.isola.origin", "unknown");
        counts.marked.increment();
        reporter.marked(path, r.pid());
        answerClean(r, false); // never an ignore mark: the next open finds the mark
        return true;
    }

    private void overloaded(Request r) {
        if (r.answer(!rules.denyOnOverload())) {
            long n = counts.overload.incrementAndGet();
            if (Long.bitCount(n) == 1) { // 1, 2, 4, 8…: the audit log is told, but not flooded
                reporter.overload(rules.denyOnOverload() ? "deny" : "allow", n);
            }
        }
    }

    /** Answers by {@code on-overload} every request that waited longer than {@code answer-within}. */
    private void watchdog() {
        while (running) {
            long now = System.nanoTime();
            for (Request r : inFlight) {
                if (now - r.arrived > answerWithinNanos) {
                    overloaded(r);
                }
            }
            try {
                Thread.sleep(Math.max(1, answerWithinNanos / 4_000_000));
            } catch (InterruptedException e) {
                return;
            }
            writeStatus();
        }
    }

    private long lastStatus;

    private void writeStatus() {
        long now = System.nanoTime();
        if (now - lastStatus < 1_000_000_000L) {
            return;
        }
        lastStatus = now;
        try {
            Files.createDirectories(stateDir.resolve("guard"));
            status().write(GuardStatus.file(stateDir));
        } catch (IOException e) {
            // status is a convenience: the guard keeps guarding
        }
    }

    public GuardStatus status() {
        return counts.status(ProcessHandle.current().pid(), since, watching, reporter.dropped.get());
    }

    /** Stops: the kernel lets every waiting and later open through. */
    @Override
    public void close() {
        running = false;
        group.close();
        for (Thread t : threads) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Request r : inFlight) {
            r.close();
        }
        writeStatusNow();
        hasher.close();
        reporter.event(AuditEvent.of("guard.stopped", null, "denied", counts.denied.sum()));
        reporter.close();
    }

    private void writeStatusNow() {
        lastStatus = 0;
        writeStatus();
    }
}
