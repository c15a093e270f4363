package io.isola.guest;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A folder of the guest whose regular files the host keeps a copy of, while the task runs: a window's screen folder,
 * where the cell's X server keeps its screen as a file and the cell leaves its clipboard when asked. The guest has no
 * folder shared with the host, so the agent looks at the folder every {@link #LOOK_EVERY_MS} ms while it changes or
 * the user types, every {@link #IDLE_LOOK_EVERY_MS} ms while nothing happens, and sends what changed, in blocks: a
 * screen where one line of text changed costs a few frames, not megabytes.
 *
 * <p>Each look that found changes ends with MIRROR_ROUND, and the next waits for the host's MIRROR_ACK: one round in
 * flight, so the host sets the pace and a program that redraws without pause is sampled, not obeyed. A file that is
 * new or was replaced (a new inode, or a new size) is sent whole and marked fresh, so that the host puts it in place
 * only once all of it came (the clipboard file, replaced by a rename, is read by the host as soon as it appears).
 */
final class Mirror {
    static final long LOOK_EVERY_MS = 8;
    /**
     * The pace of a folder where nothing changed for {@link #BUSY_NANOS}: a look reads and compares the whole screen,
     * which under emulation kept an idle window's VM at 77 % of a core when it looked every 8 ms.
     */
    static final long IDLE_LOOK_EVERY_MS = 100;
    /** How long after a change, or the user's input ({@link #nudge}), the mirror keeps its fast pace. */
    static final long BUSY_NANOS = 300_000_000;
    /** Bytes of a file per frame. */
    static final int BLOCK = 60 << 10;

    private final Path dir;
    private final Agent.Sender out;
    private final Map<String, Shadow> files = new HashMap<>();
    /** How long a new file (or one of a new size) must keep its size before it is sent. */
    static final long SETTLE_NANOS = 30_000_000;
    /** Files new or changed in size, by name: their inode and size, and since when they have had them. */
    private final Map<String, Settling> settling = new HashMap<>();

    private record Settling(Object key, long size, long since) {}

    private final Semaphore acked = new Semaphore(0);
    private final CountDownLatch ended = new CountDownLatch(1);
    /** Released by {@link #nudge}: the next look is now. */
    private final Semaphore woken = new Semaphore(0);

    private volatile long busyUntil;
    private volatile boolean stopped;

    private Mirror(Path dir, Agent.Sender out) {
        this.dir = dir;
        this.out = out;
    }

    /** Makes the folder as the host asked (a tmpfs of its size) and a mirror of it, which {@link #run} starts. */
    static Mirror make(MirrorRequest r, Agent.Sender out) throws IOException {
        Path dir = Files.createDirectories(Path.of(r.path()));
        if (!Native.mountTmpfs(r.path(), "size=" + r.bytes() + ",nr_inodes=" + r.inodes() + ",mode=0777")) {
            throw new IOException("cannot make a tmpfs of " + r.bytes() + " bytes at " + r.path());
        }
        return new Mirror(dir, out);
    }

    /** Sends the folder's changes until {@link #stop}. */
    void run() {
        busyUntil = System.nanoTime() + BUSY_NANOS; // the display is starting
        try {
            while (!stopped) {
                if (look()) {
                    busyUntil = System.nanoTime() + BUSY_NANOS;
                    out.send(Wire.MIRROR_ROUND, new byte[0]);
                    while (!stopped && !acked.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        // the host has not taken the round yet: nothing new goes out until it has
                    }
                }
                if (!settling.isEmpty()) {
                    busyUntil = System.nanoTime() + BUSY_NANOS; // a file is appearing: it goes out once it settles
                }
                boolean busy = System.nanoTime() - busyUntil < 0;
                if (woken.tryAcquire(busy ? LOOK_EVERY_MS : IDLE_LOOK_EVERY_MS, TimeUnit.MILLISECONDS)) {
                    woken.drainPermits();
                }
            }
        } catch (IOException | InterruptedException e) {
            // the host went away: nobody is left to show the folder to
        } finally {
            files.values().forEach(Shadow::free);
            ended.countDown();
        }
    }

    /** The user typed or moved the pointer (input reached the task): look now, and keep the fast pace a while. */
    void nudge() {
        busyUntil = System.nanoTime() + BUSY_NANOS;
        woken.release();
    }

    /** The host took the last round. */
    void acked() {
        acked.release();
    }

    /** Ends the mirror before the task's EXIT goes out, so that nothing of it follows EXIT on the channel. */
    void stop() throws InterruptedException {
        stopped = true;
        ended.await(2, TimeUnit.SECONDS);
    }

    /** One look at the folder; true when something was sent. */
    private boolean look() throws IOException {
        boolean sent = false;
        Set<String> seen = new HashSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    continue; // gone since the listing
                }
                if (!a.isRegularFile() || !MirrorData.mirrored(name)) {
                    continue; // links, FIFOs, temporaries: none is a file the host reads
                }
                seen.add(name);
                Shadow s = files.get(name);
                boolean fresh = s == null || !s.key.equals(a.fileKey()) || s.size != a.size();
                // A file still growing (the X server writes its screen file out before it maps it) is not sent
                // until it has kept its size a while: the host's window refuses a screen shorter than its size.
                if (fresh && !settled(name, a)) {
                    continue;
                }
                if (fresh) {
                    if (s != null) {
                        s.free();
                    }
                    s = new Shadow(a.fileKey(), a.size());
                    files.put(name, s);
                    settling.remove(name);
                }
                sent |= s.send(p, name, fresh);
            }
        }
        settling.keySet().retainAll(seen);
        for (Iterator<Map.Entry<String, Shadow>> it = files.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Shadow> e = it.next();
            if (!seen.contains(e.getKey())) {
                e.getValue().free();
                it.remove();
                out.send(Wire.MIRROR_GONE, new MirrorGone(e.getKey()).encode());
                sent = true;
            }
        }
        return sent;
    }

    private boolean settled(String name, BasicFileAttributes a) {
        Settling was = settling.get(name);
        long now = System.nanoTime();
        if (was == null || !was.key().equals(a.fileKey()) || was.size() != a.size()) {
            settling.put(name, new Settling(a.fileKey(), a.size(), now));
            return false;
        }
        return now - was.since() >= SETTLE_NANOS;
    }

    /** What the host has of one file: its last contents sent, and a buffer for the next look. */
    private final class Shadow {
        final Object key;
        final long size;
        private final Arena arena = Arena.ofShared();
        private MemorySegment sent;
        private MemorySegment now;

        Shadow(Object key, long size) {
            this.key = key;
            this.size = size;
            this.sent = arena.allocate(Math.max(1, size));
            this.now = arena.allocate(Math.max(1, size));
        }

        /** Reads the file and sends what changed (all of it when fresh); true when something was sent. */
        boolean send(Path p, String name, boolean fresh) throws IOException {
            ByteBuffer buf = now.asSlice(0, size).asByteBuffer();
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
                    // pread until the file's size
                }
            } catch (IOException e) {
                return false; // replaced or removed meanwhile: the next look sees it as it is then
            }
            if (buf.hasRemaining()) {
                files.remove(name); // it shrank meanwhile: the next look sends it whole
                free();
                return false;
            }
            if (!fresh && Native.same(now, sent, size)) {
                return false;
            }
            if (size == 0) {
                out.send(Wire.MIRROR_DATA, new MirrorData(name, 0, 0, true, new byte[0]).encode());
            }
            for (long off = 0; off < size; off += BLOCK) {
                long len = Math.min(BLOCK, size - off);
                if (fresh || !Native.same(now.asSlice(off, len), sent.asSlice(off, len), len)) {
                    byte[] data = now.asSlice(off, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    out.send(Wire.MIRROR_DATA, new MirrorData(name, size, off, fresh, data).encode());
                }
            }
            MemorySegment t = sent;
            sent = now;
            now = t;
            return true;
        }

        void free() {
            arena.close();
        }
    }
}
