package io.isola.guard;

import io.isola.core.Sha256;
import io.isola.linux.FileFacts;
import io.isola.linux.Libc;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts the content of files judged untrusted into {@link TaintRecord}, off the decision path: the first denial is
 * by mark, at once; the worker hands over a second descriptor of the event's open file (a dup, so the kernel's
 * answer and the event's close do not wait for it), and this thread hashes it behind a bounded queue. Files over
 * {@link #MAX_BYTES} are not hashed (their copies are caught by inode only); when the queue is full the file is
 * skipped and counted.
 */
final class ContentHasher implements AutoCloseable {
    /** The largest file whose content is recorded. */
    static final long MAX_BYTES = 256L << 20;

    private record Job(int fd, String path) {}

    private final TaintRecord record;
    private final BlockingQueue<Job> jobs = new ArrayBlockingQueue<>(256);
    final AtomicLong skipped = new AtomicLong();
    private final Thread thread;

    ContentHasher(TaintRecord record) {
        this.record = record;
        this.thread = Thread.ofPlatform().daemon().name("isola-guard-hasher").start(this::loop);
    }

    /** Queues the file open at {@code fd} (which stays the caller's); a dup of it is hashed later. Never throws. */
    void hashLater(int fd, FileFacts.Stat st, String path) {
        if (st.size() == 0 || st.size() > MAX_BYTES) {
            return;
        }
        int own;
        try {
            own = Libc.dupCloexec(fd);
        } catch (RuntimeException noDescriptorLeft) { // the answer must not wait on, or fail for, the record
            skipped.incrementAndGet();
            return;
        }
        if (!jobs.offer(new Job(own, path))) {
            Libc.close(own);
            skipped.incrementAndGet();
        }
    }

    /**
     * SHA-256 of what the descriptor reads, from offset 0, in hex; null when it holds more than {@code max} bytes.
     * By pread, so the descriptor's position is never moved.
     */
    static String sha256(int fd, long max) {
        MessageDigest d = Sha256.digest();
        byte[] buf = new byte[1 << 16];
        long at = 0;
        for (int n; (n = FileFacts.pread(fd, buf, at)) > 0; at += n) {
            if (at + n > max) {
                return null;
            }
            d.update(buf, 0, n);
        }
        return Sha256.hex(d);
    }

    private void loop() {
        while (true) {
            Job job;
            try {
                job = jobs.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                long size = FileFacts.stat(job.fd()).size();
                String sha = size == 0 ? null : sha256(job.fd(), MAX_BYTES);
                if (sha != null && FileFacts.stat(job.fd()).size() == size) { // not hashed while it changed size
                    record.addContent(size, sha, job.path());
                }
            } catch (RuntimeException unreadable) {
                skipped.incrementAndGet();
            } finally {
                Libc.close(job.fd());
            }
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        for (Job j; (j = jobs.poll()) != null; ) {
            Libc.close(j.fd());
        }
    }
}
