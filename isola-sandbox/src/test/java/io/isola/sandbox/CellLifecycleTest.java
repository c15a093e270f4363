package io.isola.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.Cell;
import io.isola.core.CellEnvironment;
import io.isola.core.CellExit;
import io.isola.core.CellSpec;
import io.isola.core.IsolaException;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.Stdio;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CellLifecycleTest extends WithEngine {
    @Test
    void exitCodePassesThrough() {
        assertThat(cells.sh("exit 0").code()).isZero();
        assertThat(cells.sh("exit 7").code()).isEqualTo(7);
        assertThat(cells.sh("exit 255").code()).isEqualTo(255);
    }

    @Test
    void signalDeathBecomes128PlusSignal() {
        TestCells.Result r = cells.sh("kill -SEGV $$");
        assertThat(r.code()).isEqualTo(128 + 11);
        assertThat(r.exit().reason()).isEqualTo(CellExit.Reason.EXITED);
    }

    @Test
    void stdioPassesThrough() {
        TestCells.Result r = cells.run(
                TestCells.spec(List.of("/bin/sh", "-c", "tr a-z A-Z; echo oops >&2"), Limits.DEFAULT, List.of()),
                "hello cell\n");
        assertThat(r.out()).isEqualTo("HELLO CELL\n");
        assertThat(r.err()).isEqualTo("oops\n");
    }

    @Test
    void environmentIsMinimalAndExplicit() {
        Map<String, String> caller = Map.of(
                "SECRET_TOKEN",
                "s3cr3t",
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/x",
                "DISPLAY",
                ":0",
                "LANG",
                "de_DE.UTF-8",
                "WANTED",
                "yes");
        CellSpec spec = new CellSpec(
                "sandbox",
                "host",
                List.of("/usr/bin/env"),
                CellEnvironment.build(caller, List.of("WANTED", "SET=1")),
                List.of(),
                null,
                Network.NONE,
                Limits.DEFAULT);
        String env = cells.run(spec, null).out();
        assertThat(env)
                .contains("HOME=/home/user", "PATH=", "LANG=de_DE.UTF-8", "WANTED=yes", "SET=1")
                .doesNotContain("SECRET_TOKEN", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY");
    }

    @Test
    void timeoutKillsTheWholeTree() {
        long t0 = System.nanoTime();
        TestCells.Result r =
                cells.sh("sleep 600 & sleep 600 & sleep 600; wait", Limits.DEFAULT.withTimeout(Duration.ofMillis(500)));
        assertThat(r.exit().reason()).isEqualTo(CellExit.Reason.KILLED);
        assertThat(r.exit().detail()).startsWith("timeout");
        assertThat(r.code()).isEqualTo(128 + 9);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(cells.auditLines()).anyMatch(l -> l.contains("\"cell.limit\"") && l.contains("\"timeout\""));
    }

    @Test
    void cpuTimeBudgetIsEnforced() {
        TestCells.Result r = cells.sh("while :; do :; done", Limits.DEFAULT.withCpuTime(Duration.ofMillis(300)));
        assertThat(r.exit().reason()).isEqualTo(CellExit.Reason.KILLED);
        assertThat(r.exit().detail()).startsWith("cpu-time");
    }

    @Test
    void killEndsEveryProcessOfTheCell() throws Exception {
        Path out = Files.createTempFile("isola-kill", ".out");
        CellSpec spec = TestCells.spec(
                List.of("/bin/sh", "-c", "sleep 600 & sleep 600 & echo started; wait"), Limits.DEFAULT, List.of());
        try (Cell cell = cells.engine.start(spec, Stdio.files(Path.of("/dev/null"), out, out))) {
            SandboxCell sc = (SandboxCell) cell;
            waitUntil(() -> Files.readString(out).contains("started"));
            assertThat(sc.cgroup().processes()).hasSizeGreaterThanOrEqualTo(4);
            cell.kill("test");
            CellExit exit = cell.waitFor(Duration.ofSeconds(10)).orElseThrow();
            assertThat(exit.reason()).isEqualTo(CellExit.Reason.KILLED);
            waitUntil(() -> sc.cgroup().processes().isEmpty());
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void missingCommandIsAClearError() {
        CellSpec spec = TestCells.spec(List.of("no-such-command-xyz"), Limits.DEFAULT, List.of());
        assertThatThrownBy(() -> cells.engine.start(spec, Stdio.INHERIT))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("command not found in the cell: no-such-command-xyz")
                .satisfies(e -> assertThat(((IsolaException) e).exitCode()).isEqualTo(127));
    }

    @Test
    void missingImageIsAClearError() {
        CellSpec spec = new CellSpec(
                "sandbox",
                "no-such-image",
                List.of("/bin/true"),
                CellEnvironment.build(Map.of(), List.of()),
                List.of(),
                null,
                Network.NONE,
                Limits.DEFAULT);
        assertThatThrownBy(() -> cells.engine.start(spec, Stdio.INHERIT))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("no image 'no-such-image'");
    }

    @Test
    void closeRemovesCgroupAndMounts() throws Exception {
        int before = cells.engine.cells().size();
        TestCells.Result r = cells.sh("echo data > /tmp/f; cat /tmp/f");
        assertThat(r.out()).isEqualTo("data\n");
        assertThat(cells.engine.cells()).hasSize(before);
        assertThat(Leftovers.cellMountsInBaseNamespace(cells.engine)).isZero();
        // Left open: the engine's base namespace and the prepared cells of the pool; the closed cell's are gone.
        waitUntil(() -> Leftovers.openMountNamespaces() <= 1 + cells.pooled());
        waitUntil(() -> Leftovers.cellCgroups().stream()
                        .map(Path::getFileName)
                        .distinct()
                        .count()
                <= cells.pooled());
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitUntil(Check c) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!c.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.sleep(20);
        }
    }
}
