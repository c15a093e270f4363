package io.isola.vm;

import io.isola.core.IsolaException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Waits for a VM's agent to answer, and turns every way that can fail into a message the user can act on. */
final class Ready {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vm-ready-timer");
        t.setDaemon(true);
        return t;
    });

    private Ready() {}

    static void await(Vm vm, Duration timeout) {
        boolean[] timedOut = {false};
        ScheduledFuture<?> watchdog = TIMER.schedule(
                () -> {
                    timedOut[0] = true;
                    vm.close(); // wakes the blocked hello
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            vm.agent.hello();
        } catch (IOException e) {
            // QEMU's end reaches the agent's socket a moment before waitpid can see it: give it that moment
            boolean crashed = !timedOut[0] && vm.awaitExit(Duration.ofSeconds(2));
            String said = crashed ? vm.death() : QemuDeath.console(vm.log()); // before close() removes the log
            vm.close();
            if (timedOut[0]) {
                throw new IsolaException("the VM's guest agent was not ready within " + timeout.toSeconds() + " s ("
                        + said + "); raise ISOLA_VM_READY_TIMEOUT on a slow machine");
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
        } finally {
            watchdog.cancel(false);
        }
    }
}
