package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.IsolaException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's checks of what it packs, before anything is built. */
class ImageBuilderTest {
    @TempDir
    Path tmp;

    /**
     * Debian's dynamic busybox replaces busybox-static when installed. Packed as is, the guest found no interpreter
     * for /init and panicked ("No working init found") after the build had said it succeeded.
     */
    @Test
    void aDynamicallyLinkedBusyboxIsRefusedWithWhatToInstall() {
        Path image = tmp.resolve("image");
        assertThatThrownBy(() -> new ImageBuilder(image, ImageBuilder.runningJdk(), Path.of("/bin/ls"), line -> {})
                .build())
                .isInstanceOf(IsolaException.class)
                .hasMessageStartingWith("/bin/ls is dynamically linked")
                .hasMessageEndingWith(": apt-get install busybox-static")
                .hasMessageNotContaining("\n");
        assertThat(image.resolveSibling("image.new")).doesNotExist();
        assertThat(image).doesNotExist();
    }

    @Test
    void aBusyboxThatIsNoProgramIsRefused() throws Exception {
        Path fake = Files.writeString(tmp.resolve("busybox"), "#!/bin/sh\necho not busybox\n");
        assertThatThrownBy(() -> ImageBuilder.requireStatic(fake)).isInstanceOf(IsolaException.class)
                .hasMessageContaining("is not a usable program").hasMessageContaining("busybox-static");
    }

    @Test
    void elfTellsAStaticProgramFromADynamicOne() throws Exception {
        assertThat(Elf.interpreter(Path.of("/bin/ls"))).hasValueSatisfying(i -> assertThat(i).contains("ld-linux"));
        Assumptions.assumeTrue(Files.isExecutable(ImageBuilder.BUSYBOX), "no /bin/busybox on this machine");
        Assumptions.assumeTrue(Elf.interpreter(ImageBuilder.BUSYBOX).isEmpty(),
                "this machine has Debian's dynamic busybox, not busybox-static");
        ImageBuilder.requireStatic(ImageBuilder.BUSYBOX);
    }
}
