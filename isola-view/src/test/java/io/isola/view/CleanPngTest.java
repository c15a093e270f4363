package io.isola.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.IsolaException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CleanPngTest {
    @TempDir
    Path dir;

    @Test
    void thePixelsRoundTripThroughImageIo() throws IOException {
        Pixmap page = TestPixmaps.quadrants(64, 48);
        Path png = dir.resolve("page.png");

        CleanPng.write(page, png);

        BufferedImage read = ImageIO.read(png.toFile());
        assertThat(read.getWidth()).isEqualTo(64);
        assertThat(read.getHeight()).isEqualTo(48);
        assertThat(TestPixmaps.of(read).rgb()).isEqualTo(page.rgb());
        assertThat(dir).isDirectoryNotContaining("glob:**.part");
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws IOException {
        Path target = Files.writeString(dir.resolve("taken.png"), "mine");

        assertThatThrownBy(() -> CleanPng.write(TestPixmaps.quadrants(4, 4), target))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("already exists");
        assertThat(Files.readString(target)).isEqualTo("mine");
        assertThat(dir).isDirectoryNotContaining("glob:**.part");
    }

    @Test
    void aMissingDirectoryIsAClearError() {
        assertThatThrownBy(() -> CleanPng.write(TestPixmaps.quadrants(4, 4), dir.resolve("no/such/dir/x.png")))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("cannot write in");
    }
}
