package io.isola.vm;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * Clones restored and answering before a task asks for one. A background thread refills the pool after each
 * hand-off; a task that finds the pool empty makes its own clone. Closing the pool closes every member.
 */
final class VmPool implements AutoCloseable {
    private final int size;
    private final Supplier<Vm> make;
    private final Deque<Vm> ready = new ArrayDeque<>();
    private final Thread refill;
    private boolean closed;
    /** After a failed clone: the wait before the next try (doubles up to a minute; 0 after a success). */
    private long backoffNanos;
    /** When that wait ends, in System.nanoTime(), which may be negative: compare by difference only. */
    private long retryAt;

    VmPool(int size, Supplier<Vm> make) {
        this.size = size;
        this.make = make;
        this.refill = Thread.ofPlatform().daemon().name("vm-pool").start(this::refill);
    }

    /** A ready clone: from the pool when it has one that is still alive, else a new one. */
    Vm take() {
        synchronized (this) {
            while (!ready.isEmpty()) {
                Vm vm = ready.poll();
                notifyAll();
                if (vm.alive()) {
                    return vm;
                }
                vm.close();
            }
        }
        return make.get();
    }

    synchronized int ready() {
        return ready.size();
    }

    private boolean backingOff() {
        return backoffNanos > 0 && System.nanoTime() - retryAt < 0;
    }

    private void refill() {
        while (true) {
            synchronized (this) {
                // A failed clone is retried later, not never: one slow or failed start (a loaded machine) must not
                // leave a long-running engine without its pool for the rest of its life.
                while (!closed && (ready.size() >= size || backingOff())) {
                    try {
                        if (ready.size() >= size) {
                            wait();
                        } else {
                            wait(Math.max(1, (retryAt - System.nanoTime()) / 1_000_000));
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
            }
            try {
                Vm vm = make.get();
                synchronized (this) {
                    if (closed) {
                        vm.close();
                        return;
                    }
                    ready.add(vm);
                    backoffNanos = 0;
                }
            } catch (RuntimeException e) {
                synchronized (this) {
                    // a task that asks meanwhile makes its own clone, and sees the error itself
                    backoffNanos = Math.min(60_000_000_000L, Math.max(1_000_000_000L, backoffNanos * 2));
                    retryAt = System.nanoTime() + backoffNanos;
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        refill.interrupt();
        try {
            refill.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            ready.forEach(Vm::close);
            ready.clear();
        }
    }
}
