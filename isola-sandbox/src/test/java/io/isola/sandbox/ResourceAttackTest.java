package io.isola.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.CellExit;
import io.isola.core.Limits;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Hostile tasks that try to exhaust the host. Each is contained by the cell's limits while the host stays usable. */
class ResourceAttackTest extends WithEngine {
    @Test
    void forkBombIsContainedAndHostStaysResponsive() throws Exception {
        Limits limits = Limits.DEFAULT.withPids(64).withTimeout(Duration.ofSeconds(4));
        // bash, not dash: dash gives up (exits) when a fork fails, bash retries and goes on, so the shell outlives
        // the bomb and only the timeout ends the cell.
        CompletableFuture<TestCells.Result> bomb = CompletableFuture.supplyAsync(() -> cells.run(
                TestCells.spec(
                        java.util.List.of(
                                "/bin/bash",
                                "-c",
                                "bomb() { bomb | bomb & }; bomb; while :; do sleep 1 2>/dev/null || :; done"),
                        limits,
                        java.util.List.of()),
                null));
        Thread.sleep(1000);
        // While the bomb runs, the host still starts processes quickly.
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("/bin/true").start();
        assertThat(p.waitFor()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        TestCells.Result r = bomb.get();
        // Contained either way: killed at the timeout, or the shell itself gave up when it could not fork.
        assertThat(r.exit().reason() == CellExit.Reason.KILLED || r.code() != 0)
                .as(r.toString())
                .isTrue();
        assertThat(cells.auditLines()).anyMatch(l -> l.contains("\"cell.limit\"") && l.contains("\"pids\""));
    }

    @Test
    void memoryBombIsKilledByTheMemoryLimit() {
        TestCells.Result r = cells.sh(
                "perl -e '$x = \"a\" x (1024 * 1024 * 1024); print length $x'",
                Limits.DEFAULT.withMemory(64L << 20).withTimeout(Duration.ofSeconds(30)));
        assertThat(r.code()).isEqualTo(128 + 9);
        assertThat(r.out()).isEmpty();
        assertThat(r.exit().reason()).as(r.toString()).isEqualTo(CellExit.Reason.MEMORY_LIMIT);
        assertThat(r.exit().detail()).isEqualTo("1 process killed by the kernel");
        assertThat(cells.auditLines()).anyMatch(l -> l.contains("\"cell.limit\"") && l.contains("\"memory\""));
    }

    @Test
    void aRefusedForkIsReportedAsTheProcessLimit() {
        TestCells.Result r = cells.sh(
                "for i in $(seq 1 40); do /bin/sleep 2 & done; wait",
                Limits.DEFAULT.withPids(16).withTimeout(Duration.ofSeconds(30)));
        assertThat(r.exit().reason()).as(r.toString()).isEqualTo(CellExit.Reason.PIDS_LIMIT);
        assertThat(r.exit().detail()).endsWith("refused");
    }

    @Test
    void aTaskWithinItsLimitsJustExited() {
        TestCells.Result r = cells.sh("echo fine", Limits.DEFAULT.withPids(16).withMemory(64L << 20));
        assertThat(r.exit()).isEqualTo(new CellExit(0, CellExit.Reason.EXITED, null));
    }

    @Test
    void diskFillStopsAtTheCellQuotaAndNeverTouchesHostDisk() throws IOException {
        FileStore store = Files.getFileStore(Path.of("/tmp"));
        long freeBefore = store.getUsableSpace();
        TestCells.Result r = cells.sh("""
                dd if=/dev/zero of=/tmp/fill bs=1M count=200 2>&1 | grep -o 'No space left on device'
                dd if=/dev/zero of=$HOME/fill2 bs=1M count=200 2>&1 | grep -o 'No space left on device'
                du -sm /tmp/fill | cut -f1
                """, Limits.DEFAULT.withDisk(32L << 20).withMemory(256L << 20));
        assertThat(r.out()).contains("No space left on device");
        int written = Integer.parseInt(
                r.out().lines().reduce((a, b) -> b).orElseThrow().trim());
        assertThat(written).isLessThanOrEqualTo(32);
        assertThat(store.getUsableSpace()).isGreaterThan(freeBefore - (16L << 20));
    }

    @Test
    void writingToTheRootOutsideTheQuotaIsImpossible() {
        TestCells.Result r = cells.sh("dd if=/dev/zero of=/big bs=1M count=10 2>&1 | tail -1; mkdir /x 2>&1");
        assertThat(r.out()).containsAnyOf("Read-only file system", "Permission denied");
    }

    @Test
    void devIsNoWayAroundTheDiskQuota() {
        // /dev used to be bwrap's tmpfs of half the host's RAM, writable by the cell: with more memory than disk, a
        // task stored there what its disk quota refused. Every directory under /dev is tried, including POSIX
        // shared memory's /dev/shm, which counts against the quota.
        TestCells.Result r = cells.sh("""
                for d in $(find /dev -xdev -type d 2>/dev/null) /dev/shm /dev/pts /dev/mqueue; do
                  [ -d "$d" ] || continue
                  dd if=/dev/zero of="$d/fill" bs=1M count=64 2>/dev/null
                  [ -f "$d/fill" ] && echo "$d $(du -m "$d/fill" | cut -f1)"
                  rm -f "$d/fill"
                done
                echo done
                """, Limits.DEFAULT.withDisk(16L << 20).withMemory(256L << 20));
        assertThat(r.out()).endsWith("done\n");
        assertThat(r.out().lines().filter(l -> !l.equals("done")))
                .allSatisfy(
                        l -> assertThat(Integer.parseInt(l.split(" ")[1])).as(l).isLessThanOrEqualTo(16));
    }

    @Test
    void theDevicesATaskNeedsStillWork() {
        TestCells.Result r = cells.sh("""
                echo x > /dev/null && echo "null ok"
                [ "$(head -c 5 /dev/zero | wc -c)" = 5 ] && echo "zero ok"
                [ "$(head -c 16 /dev/urandom | wc -c)" = 16 ] && echo "urandom ok"
                [ "$(head -c 16 /dev/random | wc -c)" = 16 ] && echo "random ok"
                echo x > /dev/full 2>/dev/null || echo "full ok"
                perl -e 'open(my $m, "+<", "/dev/ptmx") or die "ptmx $!"; print "pty ok\n"'
                echo shared > /dev/shm/segment && [ "$(cat /dev/shm/segment)" = shared ] && echo "shm ok"
                python3 -c 'from multiprocessing import shared_memory as s; m = s.SharedMemory(create=True, size=4096); m.close(); m.unlink(); print("posix shm ok")'
                """);
        assertThat(r.out())
                .as(r.err())
                .contains(
                        "null ok", "zero ok", "urandom ok", "random ok", "full ok", "pty ok", "shm ok", "posix shm ok");
    }
}
