package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.IsolaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
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
        assertThatThrownBy(() ->
                        new ImageBuilder(image, ImageBuilder.runningJdk(), Path.of("/bin/ls"), line -> {}).build())
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
        assertThatThrownBy(() -> ImageBuilder.requireStatic(fake))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("is not a usable program")
                .hasMessageContaining("busybox-static");
    }

    /** The image is readable by every host user, and a task is root in its VM. */
    @Test
    void whatTheHostKeepsFromOtherUsersStaysOutOfTheRoot() throws Exception {
        Path usr = Files.createDirectories(tmp.resolve("usr/lib/x86_64-linux-gnu/helper"));
        Path etc = Files.createDirectories(tmp.resolve("etc/db/private"));
        Files.writeString(tmp.resolve("etc/db/db.conf"), "listen=*\n");
        Files.writeString(tmp.resolve("etc/db/pg_hba.conf"), "local all trust\n");
        Files.writeString(tmp.resolve("etc/db/private/key"), "secret\n");
        Files.writeString(tmp.resolve("etc/shadow"), "root:$y$...\n");
        Files.writeString(usr.resolve("tool"), "binary\n");
        Files.setPosixFilePermissions(tmp.resolve("etc/db/pg_hba.conf"), PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(tmp.resolve("etc/db/private"), PosixFilePermissions.fromString("rwx--x---"));
        Files.setPosixFilePermissions(usr.resolve("tool"), PosixFilePermissions.fromString("rwx--x--x"));

        List<String> excluded = RootFs.excludes(tmp.resolve("usr"), tmp.resolve("etc"), ImageBuilder.runningJdk());
        assertThat(excluded)
                .contains(
                        "etc/db/pg_hba.conf",
                        "etc/db/private",
                        "etc/shadow",
                        "etc/passwd",
                        "usr/lib/x86_64-linux-gnu/helper/tool")
                .doesNotContain("etc/db/db.conf", "etc/db/private/key");
    }

    @Test
    void elfTellsAStaticProgramFromADynamicOne() throws Exception {
        assertThat(Elf.interpreter(Path.of("/bin/ls")))
                .hasValueSatisfying(i -> assertThat(i).contains("ld-linux"));
        Assumptions.assumeTrue(Files.isExecutable(ImageBuilder.BUSYBOX), "no /bin/busybox on this machine");
        Assumptions.assumeTrue(
                Elf.interpreter(ImageBuilder.BUSYBOX).isEmpty(),
                "this machine has Debian's dynamic busybox, not busybox-static");
        ImageBuilder.requireStatic(ImageBuilder.BUSYBOX);
    }
}
