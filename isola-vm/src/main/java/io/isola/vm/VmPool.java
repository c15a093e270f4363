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
    private RuntimeException lastFailure;

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

    private void refill() {
        while (true) {
            synchronized (this) {
                while (!closed && (ready.size() >= size || lastFailure != null)) {
                    try {
                        wait();
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
                }
            } catch (RuntimeException e) {
                synchronized (this) {
                    lastFailure = e; // a task that asks makes its own clone, and sees the error itself
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
