package io.isola.guard;

import io.isola.linux.Fanotify;
import io.isola.linux.Libc;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One open the kernel is holding until it is answered. Exactly one answer is sent, by whoever comes first: the
 * worker that judged it, or the watchdog when it took too long. The descriptor is closed once, by whoever is last
 * to use it.
 */
final class Request {
    final Fanotify.Event event;
    final long arrived = System.nanoTime();
    private final Fanotify group;
    private final AtomicBoolean answered = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    Request(Fanotify group, Fanotify.Event event) {
        this.group = group;
        this.event = event;
    }

    int fd() {
        return event.fd();
    }

    int pid() {
        return event.pid();
    }

    /** Sends the answer unless one was sent already; true when this call sent it. */
    boolean answer(boolean allow) {
        if (!answered.compareAndSet(false, true)) {
            return false;
        }
        group.answer(event, allow);
        return true;
    }

    boolean answered() {
        return answered.get();
    }

    void close() {
        if (closed.compareAndSet(false, true)) {
            Libc.close(event.fd());
        }
    }
}
