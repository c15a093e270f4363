package io.isola.display;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window's sampler gives its last work to the event thread after it was interrupted (the window closing). Where the
 * toolkit has to start its event thread for it, the JDK waits and prints an interrupted wait as a stack trace on the
 * person's terminal. Checked in a JVM of its own, whose event thread has not started yet, as in a closing window whose
 * event thread had shut down: the work runs, nothing is printed, and the interrupt is still there afterwards.
 */
class EventThreadFromAnInterruptedThreadTest {
    /** The child JVM: the work from an interrupted thread, then what happened, on stdout. */
    public static void main(String[] args) throws Exception {
        java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
        boolean[] stillInterrupted = {false};
        Thread t = new Thread(() -> {
            Thread.currentThread().interrupt();
            CellWindow.onEventThread(ran::countDown);
            stillInterrupted[0] = Thread.currentThread().isInterrupted();
        });
        t.start();
        t.join();
        System.out.println("ran=" + ran.await(5, TimeUnit.SECONDS) + " interrupted=" + stillInterrupted[0]);
        System.exit(0);
    }

    @Test
    void workRunsQuietlyAndTheInterruptIsKept(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out"), err = tmp.resolve("err");
        Process p = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Djava.awt.headless=true",
                        "-cp",
                        System.getProperty("java.class.path"),
                        EventThreadFromAnInterruptedThreadTest.class.getName()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(out)).isEqualTo("ran=true interrupted=true\n");
        assertThat(Files.readString(err)).doesNotContain("Exception", "\tat ");
    }
}
