package io.isola.vm;

import java.util.List;

/**
 * The accelerator QEMU uses. KVM only after a boot probe showed a guest really runs on it: on machines where
 * /dev/kvm is a software backend (PVM) an unmodified kernel hangs or dies there, so its mere presence proves nothing.
 */
public enum Accelerator {
    KVM(List.of("-accel", "kvm", "-cpu", "host"), ""),
    /**
     * Under TCG the guest maps every process at the same addresses ({@code norandmaps}). QEMU 7.2 keys translated
     * code by virtual address, so with randomized mappings each new process translates ld.so and libc afresh: a
     * dynamic /bin/true took ~55 ms in the guest, and ~20 ms with fixed mappings (measured: 20 runs from a guest
     * shell each way). The cell's boundary is the VM, not ASLR inside it: the task is hostile code already.
     */
    TCG(List.of("-accel", "tcg,tb-size=64", "-cpu", "max"), " norandmaps");

    final List<String> qemuArgs;
    /** Appended to the guest kernel's command line. */
    final String kernelArgs;

    Accelerator(List<String> qemuArgs, String kernelArgs) {
        this.qemuArgs = qemuArgs;
        this.kernelArgs = kernelArgs;
    }
}
