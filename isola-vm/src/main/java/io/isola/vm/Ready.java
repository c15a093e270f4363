package io.isola.vm;

import io.isola.core.IsolaException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Waits for a VM's agent to answer, and turns every way that can fail into a message the user can act on. */
final class Ready {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vm-ready-timer");
        t.setDaemon(true);
        return t;
    });

    private Ready() {}

    static void await(Vm vm, Duration timeout) {
        try (Watchdog dog = new Watchdog(vm, timeout)) {
            try {
                vm.agent.hello();
            } catch (IOException e) {
                boolean timedOut = dog.fired();
                // QEMU's end reaches the agent's socket a moment before waitpid can see it: give it that moment
                boolean crashed = !timedOut && vm.awaitExit(Duration.ofSeconds(2));
                String said = crashed ? vm.death() : QemuDeath.console(vm.log()); // before close() removes the log
                vm.close();
                if (timedOut) {
                    throw notReady(timeout, said);
                }
                String log = vm.log();
                if (log.startsWith(ConsoleLog.PANIC)) {
                    // QEMU may not have exited yet when the channel breaks: the console says what happened
                    throw new IsolaException(
                            "the VM's guest did not boot: " + log + " (rebuild its image: isola image " + "build)");
                }
                throw new IsolaException(
                        crashed
                                ? "the VM ended before its guest was ready: " + said
                                : "the guest agent failed: " + e.getMessage() + " (" + said + ")");
            }
            if (!dog.disarm()) { // it answered as the time ran out: the watchdog has closed it
                throw notReady(timeout, QemuDeath.console(vm.log()));
            }
        }
    }

    private static IsolaException notReady(Duration timeout, String said) {
        return new IsolaException("the VM's guest agent was not ready within " + timeout.toSeconds() + " s (" + said
                + "); raise ISOLA_VM_READY_TIMEOUT on a slow machine");
    }

    /**
     * Closes a VM that has not answered within its time, which wakes whatever blocks on its channel. Exactly one of
     * {@link #disarm} and the firing wins, so a VM is never both handed out and closed by its watchdog.
     */
    static final class Watchdog implements AutoCloseable {
        private static final int ARMED = 0, DISARMED = 1, FIRED = 2;
        private final AtomicInteger state = new AtomicInteger(ARMED);
        private final ScheduledFuture<?> timer;

        Watchdog(Vm vm, Duration timeout) {
            this.timer = TIMER.schedule(
                    () -> {
                        if (state.compareAndSet(ARMED, FIRED)) {
                            vm.close();
                        }
                    },
                    timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        /** Whether the time ran out and the VM was closed for it. */
        boolean fired() {
            return state.get() == FIRED;
        }

        /** Stops it; false when it had already fired. */
        boolean disarm() {
            boolean won = state.compareAndSet(ARMED, DISARMED);
            timer.cancel(false);
            return won || state.get() == DISARMED;
        }

        @Override
        public void close() {
            disarm();
        }
    }
}
