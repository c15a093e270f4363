package io.isola.cli;

import io.isola.core.StatePaths;
import io.isola.vm.Accelerator;
import io.isola.vm.Probe;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** isola doctor's lines for the vm engine: QEMU, the kernel package, and what the accelerator probe found. */
final class VmDoctor {
    private VmDoctor() {}

    static void report(StatePaths paths, PrintStream out) {
        boolean qemu = Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"));
        out.println((qemu ? "  ok    " : "  note  ") + "vm engine: QEMU" + (qemu ? "" : " missing: apt-get install qemu-system-x86"));
        Accelerator accel = Probe.lastResult(paths.root().resolve("vm"));
        out.println("  info  vm engine accelerator: " + (accel == null
                ? "not probed yet (the first vm cell boots a probe; /dev/kvm alone proves nothing)"
                : accel + (accel == Accelerator.TCG ? " (no working KVM: a guest did not boot on /dev/kvm, or it is absent)"
                        : " (a probe guest booted on it)") + "; " + accel.guest()));
    }
}
