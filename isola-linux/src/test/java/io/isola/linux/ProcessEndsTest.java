package io.isola.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real processes, not children of the watcher's thread (the JDK started them): the first to end wakes the wait. */
@Timeout(30)
class ProcessEndsTest {
    private final java.util.List<Process> started = new java.util.ArrayList<>();

    @AfterEach
    void end() {
        started.forEach(Process::destroyForcibly);
    }

    private Process sleeping(String seconds) throws Exception {
        Process p = new ProcessBuilder("/bin/sleep", seconds).start();
        started.add(p);
        return p;
    }

    @Test
    void theFirstProcessToEndEndsTheWait() throws Exception {
        Process brief = sleeping("0.3"), lasting = sleeping("60");
        try (ProcessEnds ends = ProcessEnds.of(lasting.pid(), brief.pid())) {
            assertThat(ends.await()).isTrue();
            assertThat(brief.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(lasting.isAlive())
                    .as("woken by the brief one, not by a timeout")
                    .isTrue();
        }
    }

    @Test
    void stopEndsTheWaitWhileAllRun() throws Exception {
        Process a = sleeping("60"), b = sleeping("60");
        try (ProcessEnds ends = ProcessEnds.of(a.pid(), b.pid())) {
            CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(ends::await);
            Thread.sleep(200);
            assertThat(waited).isNotDone();
            ends.stop();
            assertThat(waited.get(5, TimeUnit.SECONDS)).isFalse();
            assertThat(a.isAlive() && b.isAlive()).isTrue();
        }
    }

    @Test
    void aProcessGoneBeforeTheWatchCountsAsEnded() throws Exception {
        Process gone = sleeping("0");
        gone.waitFor();
        Process lasting = sleeping("60");
        try (ProcessEnds ends = ProcessEnds.of(lasting.pid(), gone.pid())) {
            assertThat(ends.await()).isTrue();
        }
    }

    @Test
    void aKillIsAnEndToo() throws Exception {
        Process killed = sleeping("60");
        try (ProcessEnds ends = ProcessEnds.of(killed.pid())) {
            CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(ends::await);
            Thread.sleep(200);
            assertThat(waited).isNotDone();
            killed.destroyForcibly();
            assertThat(waited.get(5, TimeUnit.SECONDS)).isTrue();
        }
    }
}
