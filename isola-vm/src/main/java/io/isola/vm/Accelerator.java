package io.isola.vm;

import java.util.List;

/**
 * The accelerator QEMU uses. KVM only after a boot probe showed a guest really runs on it: on machines where
 * /dev/kvm is a software backend (PVM) an unmodified kernel hangs or dies there, so its mere presence proves nothing.
 */
public enum Accelerator {
    KVM(List.of("-accel", "kvm", "-cpu", "host")),
    TCG(List.of("-accel", "tcg,tb-size=64", "-cpu", "max"));

    final List<String> qemuArgs;

    Accelerator(List<String> qemuArgs) {
        this.qemuArgs = qemuArgs;
    }
}
