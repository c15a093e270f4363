package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.Cell;
import io.isola.core.CellExit;
import io.isola.core.IsolaException;
import io.isola.core.Stdio;
import io.isola.linux.Libc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Pool refill, kills, crashes and the clean-up after a SIGKILLed Isola, with real QEMU processes. */
@Tag("qemu")
class LifecycleTest {
    private static final Stdio QUIET = Stdio.files(Path.of("/dev/null"), Path.of("/dev/null"), Path.of("/dev/null"));

    @Test
    void thePoolRefillsAfterAHandOff() throws Exception {
        VmEngine engine = TestVms.engine();
        waitFor(() -> engine.poolReady() == 1, "the pool to fill");
        try (Cell c = engine.start(TestVms.spec(List.of("/bin/true")), QUIET)) {
            assertThat(c.waitFor().exitCode()).isZero();
        }
        waitFor(() -> engine.poolReady() == 1, "the pool to refill");
    }

    @Test
    void aClosedCellLeavesNoQemuNoCgroupNoRunDirectory() throws Exception {
        VmEngine engine = TestVms.engine();
        Cell c = engine.start(TestVms.spec(List.of("/bin/sleep", "600")), QUIET);
        int pid = c.pid();
        String id = c.id().substring(3);
        assertThat(Path.of("/proc/" + pid)).exists();
        c.close();
        assertThat(Path.of("/proc/" + pid)).doesNotExist();
        assertThat(engine.options().runDir().resolve(id)).doesNotExist();
        assertThat(engine.cgroups().children())
                .noneMatch(g ->
                        g.name().equals(VmJanitor.cgroupName(engine.options().runDir(), id)));
    }

    /**
     * The cgroup tree is shared by every state folder on the host. A janitor started for another state (another
     * user's Isola, the service, a test's) once took this engine's cgroups for orphans and killed its running VMs.
     */
    @Test
    void aJanitorOfAnotherStateLeavesThisEnginesVmsAlone(@org.junit.jupiter.api.io.TempDir Path other)
            throws Exception {
        VmEngine engine = TestVms.engine();
        try (Cell c = engine.start(TestVms.spec(List.of("/bin/sleep", "600")), QUIET)) {
            String id = c.id().substring(3);
            assertThat(VmJanitor.sweep(other.resolve("run"), engine.cgroups())).isZero();
            assertThat(VmJanitor.sweep(Files.createDirectories(other.resolve("run")), engine.cgroups()))
                    .isZero();
            assertThat(Path.of("/proc/" + c.pid())).exists();
            assertThat(engine.cgroups().children())
                    .anyMatch(g -> g.name()
                            .equals(VmJanitor.cgroupName(engine.options().runDir(), id)));
        }
    }

    @Test
    void aTimeoutKillsTheWholeVm() throws Exception {
        var spec = TestVms.spec(List.of("/bin/sleep", "600"));
        spec = new io.isola.core.CellSpec(
                spec.engine(),
                spec.image(),
                spec.command(),
                spec.env(),
                spec.view(),
                spec.workdir(),
                spec.network(),
                spec.limits().withTimeout(Duration.ofSeconds(1)),
                spec.files());
        try (Cell c = TestVms.engine().start(spec, QUIET)) {
            CellExit e = c.waitFor();
            assertThat(e.reason()).isEqualTo(CellExit.Reason.KILLED);
            assertThat(e.detail()).contains("timeout");
            assertThat(Path.of("/proc/" + c.pid())).doesNotExist();
        }
    }

    @Test
    void aCrashedQemuIsReportedWithHowItDiedAndWhatItLastSaid() throws Exception {
        try (Cell c = TestVms.engine().start(TestVms.spec(List.of("/bin/sleep", "600")), QUIET)) {
            Libc.kill(c.pid(), Libc.SIGKILL);
            CellExit e = c.waitFor();
            assertThat(e.exitCode()).isEqualTo(125);
            // once this said only "QEMU crashed ()": now how it ended, and its console's last lines or that it had none
            assertThat(e.detail())
                    .startsWith("QEMU was killed by signal 9 (SIGKILL")
                    .containsAnyOf("; its console's last lines: ", "; its console wrote nothing")
                    .doesNotContain("()");
        }
    }

    @Test
    void aGuestThatIsNeverReadyGetsAClearMessage() {
        assertThatThrownBy(() -> TestVms.engine().readyClone(Duration.ofMillis(1)))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("not ready within")
                .hasMessageContaining("ISOLA_VM_READY_TIMEOUT");
    }

    @Test
    void afterIsolaIsKilledTheNextStartRemovesItsVms() throws Exception {
        VmEngine engine = TestVms.engine();
        Process isola = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        KilledIsola.class.getName(),
                        TestVms.state().toString())
                .redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(isola.getInputStream()));
        String line;
        String ready = null;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("ready ")) {
                ready = line;
                break;
            }
        }
        assertThat(ready).as("the child Isola filled its pool").isNotNull();
        int qemu = Integer.parseInt(ready.split(" ")[1]);
        String id = ready.split(" ")[2];
        long killed = System.nanoTime();
        isola.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no close
        // the parent-death signal takes QEMU down with its Isola, within a second
        waitFor(() -> !Files.exists(Path.of("/proc/" + qemu)) || zombie(qemu), "QEMU to die with its Isola");
        assertThat(System.nanoTime() - killed).isLessThan(1_000_000_000L);

        // the kernel keeps the run directory and the cgroup: the next start removes them
        assertThat(VmJanitor.sweep(engine.options().runDir(), engine.cgroups())).isGreaterThanOrEqualTo(1);
        assertThat(engine.options().runDir().resolve(id)).doesNotExist();
        assertThat(engine.cgroups().children())
                .noneMatch(g ->
                        g.name().equals(VmJanitor.cgroupName(engine.options().runDir(), id)));
        // this JVM's own VMs were not touched: their owner is alive
        try (Cell c = engine.start(TestVms.spec(List.of("/bin/true")), QUIET)) {
            assertThat(c.waitFor().exitCode()).isZero();
        }
    }

    private static boolean zombie(int pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/stat")).contains(") Z");
        } catch (java.io.IOException e) {
            return true;
        }
    }

    static void waitFor(java.util.function.BooleanSupplier ok, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
