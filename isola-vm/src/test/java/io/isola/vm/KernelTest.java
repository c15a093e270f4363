package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.IsolaException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelTest {
    @TempDir
    Path tmp;

    @Test
    void aMissingKernelPackageSaysWhatToInstall() {
        assertThatThrownBy(() -> Kernel.find(tmp, tmp))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("apt-get install linux-image-cloud-amd64");
    }

    @Test
    void theNewestKernelWithModulesIsChosen() throws Exception {
        for (String v : new String[] {"6.1.0-9-cloud-amd64", "6.1.0-56-cloud-amd64", "6.1.0-99-cloud-amd64"}) {
            Files.writeString(tmp.resolve("vmlinuz-" + v), "kernel");
        }
        Files.createDirectories(tmp.resolve("modules/6.1.0-9-cloud-amd64"));
        Files.createDirectories(tmp.resolve("modules/6.1.0-56-cloud-amd64"));
        // -99 has no modules: an image made from it would have no virtio drivers
        assertThat(Kernel.find(tmp, tmp.resolve("modules")).version()).isEqualTo("6.1.0-56-cloud-amd64");
    }
}
