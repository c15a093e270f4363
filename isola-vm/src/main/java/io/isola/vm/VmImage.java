package io.isola.vm;

import io.isola.core.IsolaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A built VM image in {@code DIR}: the Debian cloud kernel, the initramfs Isola wrote, the read-only root file
 * system, and the content hash of the three.
 */
record VmImage(Path dir, String hash) {
    static final String KERNEL = "vmlinuz",
            INITRD = "initrd.img",
            ROOTFS = "root.sqfs",
            HASH = "hash",
            INPUTS = "inputs";

    /** What the image was built from (kernel, JDK, agent classes): a different build of Isola rebuilds it. */
    String inputs() {
        try {
            return Files.readString(dir.resolve(INPUTS)).trim();
        } catch (IOException e) {
            return "";
        }
    }

    Path kernel() {
        return dir.resolve(KERNEL);
    }

    Path initrd() {
        return dir.resolve(INITRD);
    }

    Path rootfs() {
        return dir.resolve(ROOTFS);
    }

    /** The image in {@code dir}, or null when none was built there. */
    static VmImage find(Path dir) {
        try {
            Path h = dir.resolve(HASH);
            if (!Files.exists(h)) {
                return null;
            }
            return new VmImage(dir, Files.readString(h).trim());
        } catch (IOException e) {
            throw new IsolaException(
                    "cannot read the VM image at " + dir + ": " + e.getMessage() + " (rebuild it: isola image build)");
        }
    }
}
