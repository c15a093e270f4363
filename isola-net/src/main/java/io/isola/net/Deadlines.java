package io.isola.net;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Deadlines for the start of connections (request head, ClientHello), kept by one sweeper that wakes every
 * {@link #TICK_MS}, so arming and clearing one costs a set insertion and removal, not a timer thread's wake-up on
 * every connection. A deadline fires up to one tick late.
 */
final class Deadlines implements AutoCloseable {
    static final long TICK_MS = 100;

    /** One armed deadline: {@link #expired} says whether it fired (and closed the connection). */
    static final class Deadline {
        private final long at;
        private final java.io.Closeable target;
        final AtomicBoolean expired = new AtomicBoolean();

        private Deadline(long at, java.io.Closeable target) {
            this.at = at;
            this.target = target;
        }
    }

    private final Set<Deadline> armed = ConcurrentHashMap.newKeySet();
    private final Thread sweeper;
    private volatile boolean closed;

    Deadlines() {
        sweeper = Thread.ofPlatform().daemon().name("egress-deadlines").start(this::sweep);
    }

    /** Closes {@code target} when {@code millis} have passed, unless {@link #clear} came first. */
    Deadline arm(long millis, java.io.Closeable target) {
        Deadline d = new Deadline(System.nanoTime() + millis * 1_000_000, target);
        armed.add(d);
        return d;
    }

    void clear(Deadline d) {
        armed.remove(d);
    }

    private void sweep() {
        while (!closed) {
            try {
                Thread.sleep(TICK_MS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Deadline d : armed) {
                if (now - d.at >= 0 && armed.remove(d)) {
                    d.expired.set(true);
                    Relay.closeQuietly(d.target);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        sweeper.interrupt();
    }
}
