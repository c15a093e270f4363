package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.IsolaException;
import io.isola.core.StatePaths;
import io.isola.core.audit.AuditLog;
import java.io.BufferedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A golden VM that does not boot says why, in one line, from the guest's console. */
@Timeout(300)
@Tag("qemu")
class GoldenBootFailureTest {
    @TempDir
    Path state;

    /**
     * The image a host with Debian's dynamic busybox made before the builder checked it: /init's interpreter
     * (/isola/busybox) cannot run, and the kernel panics. This was reported only as "the guest agent failed: read:
     * Connection reset by peer".
     */
    @Test
    void aKernelPanicIsReportedWithItsReason() throws Exception {
        TestVms.engine(); // the shared image, built from this build's inputs
        VmImage good = VmImage.find(TestVms.options().imageDir());
        VmOptions opt =
                VmOptions.fromEnvironment(new StatePaths(state), Map.of()).withPoolSize(0);
        Path image = Files.createDirectories(opt.imageDir());
        Files.createLink(image.resolve(VmImage.KERNEL), good.kernel());
        Files.createLink(image.resolve(VmImage.ROOTFS), good.rootfs());
        try (Cpio cpio = new Cpio(new BufferedOutputStream(Files.newOutputStream(image.resolve(VmImage.INITRD))))) {
            cpio.directory("isola");
            cpio.file("isola/busybox", 0755, Files.readAllBytes(Path.of("/bin/ls"))); // dynamic: no ld.so here
            cpio.file(
                    "init",
                    0755,
                    GuestInit.script(ImageBuilder.runningJdk(), ImageBuilder.MODULES)
                            .getBytes());
        }
        String hash = "broken-" + good.hash();
        Files.writeString(image.resolve(VmImage.HASH), hash + "\n");
        Files.writeString(image.resolve(VmImage.INPUTS), good.inputs() + "\n"); // or the engine would rebuild it
        // the accelerator probe would wait 15 s for a guest that cannot boot under any accelerator
        Files.writeString(
                opt.dir().resolve("accelerator"),
                Probe.lastResult(TestVms.options().dir()) + " " + hash);

        try (AuditLog audit = AuditLog.open(state.resolve("audit.jsonl"))) {
            assertThatThrownBy(() -> new VmEngine(opt, audit, line -> {}).close())
                    .isInstanceOf(IsolaException.class)
                    .hasMessageStartingWith(
                            "the VM's guest did not boot: Kernel panic - not syncing: No working init " + "found")
                    .hasMessageNotContaining("\n");
        }
    }
}
