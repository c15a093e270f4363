package io.isola.guard;

import static io.isola.guard.GuardedPlace.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guard never hangs the machine: it dies cleanly, stops being asked about clean files, and says what it did. */
@Tag("kernel")
class GuardLifecycleTest {
    @TempDir
    Path tmp;

    @Test
    void aGuardKilledWithSigkillLeavesEveryOpenWorking() throws Exception {
        try (GuardedPlace g = new GuardedPlace(tmp)) {
            Path evil = g.file("evil.pdf", "hostile", "xdg.origin.url", "https://evil.example/");
            Process guard = g.startChild();
            assertThat(run("cat", evil.toString()).denied()).isTrue();

            guard.destroyForcibly(); // SIGKILL
            assertThat(guard.waitFor(10, TimeUnit.SECONDS)).isTrue();

            assertThat(run("cat", evil.toString())).isEqualTo(new GuardedPlace.Result(0, "hostile"));
        }
    }

    @Test
    void theKernelStopsAskingAboutAJudgedCleanFileUntilItIsWritten() throws Exception {
        try (GuardedPlace g = new GuardedPlace(tmp)) {
            Path mine = g.file("mine.txt", "mine");
            Guard guard = g.start();
            assertThat(run("cat", mine.toString()).code()).isZero();
            long asked = guard.status().lookups();
            assertThat(asked).isPositive();

            for (int i = 0; i < 3; i++) {
                assertThat(run("cat", mine.toString()).code()).isZero();
            }
            assertThat(guard.status().lookups())
                    .as("opens the kernel no longer asks about")
                    .isEqualTo(asked);

            assertThat(run("sh", "-c", "echo more >> " + mine).code()).isZero(); // the write drops the ignore mark
            long afterWrite = guard.status().lookups();
            assertThat(run("cat", mine.toString()).code()).isZero();
            assertThat(guard.status().lookups()).isGreaterThan(afterWrite);
        }
    }

    @Test
    void aCopyMadeWhileNoGuardRanIsDeniedByTheNextOneByItsContent() throws Exception {
        try (GuardedPlace g = new GuardedPlace(tmp)) {
            Path evil = g.file("evil.pdf", "hostile bytes", "xdg.origin.url", "https://evil.example/");
            Guard first = g.start();
            assertThat(run("cat", evil.toString()).denied()).isTrue();
            assertThat(g.eventually("guard/untrusted-content.tsv", Sha256.of(evil)))
                    .isNotEmpty();
            first.close();

            Path restored = Files.write(g.place.resolve("restored.pdf"), Files.readAllBytes(evil)); // no marks
            g.start();
            assertThat(run("cat", restored.toString()).denied()).isTrue();
        }
    }

    @Test
    void aStormOfOpensIsAnsweredAndCounted() throws Exception {
        try (GuardedPlace g = new GuardedPlace(tmp)) {
            Path dir = Files.createDirectories(g.place.resolve("many"));
            for (int i = 0; i < 5000; i++) {
                Files.writeString(dir.resolve("f" + i), "x".repeat(64));
            }
            Guard guard = g.start();
            long start = System.nanoTime();
            GuardedPlace.Result r = run("sh", "-c", "cat " + dir + "/* | wc -c");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.out().trim()).isEqualTo(Integer.toString(5000 * 64));
            assertThat(ms).as("5000 first opens through the guard").isLessThan(20_000);
            GuardStatus s = guard.status();
            assertThat(s.clean()).isGreaterThanOrEqualTo(5000);
            assertThat(s.denied()).isZero();
        }
    }

    @Test
    void statusIsWrittenForIsolaGuardStatus() throws Exception {
        try (GuardedPlace g = new GuardedPlace(tmp)) {
            Path evil = g.file("evil.pdf", "hostile", "isola.trust", "untrusted");
            Guard guard = g.start();
            assertThat(run("cat", evil.toString()).denied()).isTrue();
            assertThat(run("cat", evil.toString()).denied()).isTrue();
            long until = System.nanoTime() + 5_000_000_000L;
            GuardStatus s = null;
            while (System.nanoTime() < until && (s == null || s.denied() < 2)) {
                Thread.sleep(100);
                s = GuardStatus.read(g.state);
            }
            assertThat(s).isNotNull();
            assertThat(s.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(s.watching()).containsExactly(g.place.toString());
            assertThat(s.denied()).isEqualTo(2);
            assertThat(s.hits()).isEqualTo(1); // the second denial came from the cache
            assertThat(s.running()).isTrue();
            guard.close();
        }
    }
}
