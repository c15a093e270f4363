package io.isola.cli;

import io.isola.core.StatePaths;
import io.isola.vm.Accelerator;
import io.isola.vm.Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** isola doctor's lines for the vm engine: QEMU, the kernel package, and what the accelerator probe found. */
final class VmDoctor {
    private VmDoctor() {}

    /** What the last boot probe found, or null when no vm cell has run yet. */
    static Accelerator accelerator(StatePaths paths) {
        return Probe.lastResult(paths.root().resolve("vm"));
    }

    static List<DoctorLine> lines(StatePaths paths) {
        boolean qemu = Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"));
        DoctorLine q = qemu
                ? DoctorLine.check("QEMU (vm engine)", true, "", "")
                : DoctorLine.warn("QEMU (vm engine)", "missing", "apt-get install qemu-system-x86");
        Accelerator accel = accelerator(paths);
        return List.of(
                q,
                DoctorLine.info(
                        "vm engine accelerator",
                        accel == null
                                ? "not probed yet (the first vm cell boots a probe; /dev/kvm alone proves nothing)"
                                : accel
                                        + (accel == Accelerator.TCG
                                                ? " (no working KVM: a guest did not boot on /dev/kvm, or it is absent)"
                                                : " (a probe guest booted on it)")
                                        + "; " + accel.guest()));
    }
}
