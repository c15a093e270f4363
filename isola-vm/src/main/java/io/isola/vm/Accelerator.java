package io.isola.vm;

import java.util.List;

/**
 * The accelerator QEMU uses. KVM only after a boot probe showed a guest really runs on it: on machines where
 * /dev/kvm is a software backend (PVM) an unmodified kernel hangs or dies there, so its mere presence proves nothing.
 */
public enum Accelerator {
    KVM(List.of("-accel", "kvm", "-cpu", "host"), ""),
    /**
     * Under TCG the guest CPU is the plain x86-64 {@code qemu64}, not {@code max}: with {@code max} a pool hand-off
     * took ~74 ms against ~64 ms (medians of 20, three alternating rounds each; Debian and the JDK need no more than
     * baseline x86-64). The guest also maps every process at the same addresses ({@code norandmaps}): QEMU 7.2 keys
     * translated code by virtual address, so with randomized mappings each new process translates ld.so and libc
     * afresh; a dynamic /bin/true took ~55 ms in the guest, ~12-20 ms with fixed mappings (20 runs from a guest shell
     * each way). Neither costs an isolation property: the cell's boundary is the VM, and its task is hostile code
     * already, which needs no guest ASLR or SMAP to be bypassed. Under KVM both cost nothing and stay as they were.
     */
    TCG(List.of("-accel", "tcg,tb-size=64", "-cpu", "qemu64"), " norandmaps");

    final List<String> qemuArgs;
    /** Appended to the guest kernel's command line. */
    final String kernelArgs;

    Accelerator(List<String> qemuArgs, String kernelArgs) {
        this.qemuArgs = qemuArgs;
        this.kernelArgs = kernelArgs;
    }

    /** What the guest runs on, in a few words, for isola doctor. */
    public String guest() {
        return "guest CPU " + qemuArgs.get(qemuArgs.indexOf("-cpu") + 1)
                + (kernelArgs.contains("norandmaps") ? ", guest address randomization off (fast under emulation)" : "");
    }
}
