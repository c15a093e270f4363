package io.isola.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.IsolaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PixmapTest {
    private static final long LIMIT = 50_000_000L;

    @TempDir
    Path dir;

    @Test
    void aValidPixmapRoundTripsItsPixels() throws IOException {
        byte[] pixels = new byte[3 * 3 * 2];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 17);
        }
        Pixmap p = Pixmap.read(ppm("P6\n3 2\n255\n", pixels), LIMIT);

        assertThat(p.width()).isEqualTo(3);
        assertThat(p.height()).isEqualTo(2);
        assertThat(p.rgb()).isEqualTo(pixels);
        assertThat(p.rgbAt(2, 1)).isEqualTo((15 * 17 & 0xff) << 16 | (16 * 17 & 0xff) << 8 | 17 * 17 & 0xff);
    }

    @Test
    void commentsAndAnyWhitespaceMayStandBetweenTheNumbers() {
        Pixmap p = Pixmap.read(ppm("P6# made by a test\r\n\t3 # width\r2\f\u000b255\n", new byte[18]), LIMIT);

        assertThat(p.width()).isEqualTo(3);
        assertThat(p.height()).isEqualTo(2);
    }

    @Test
    void theSingleWhitespaceAfterMaxvalMayBeAnyWhitespaceByte() {
        assertThat(Pixmap.read(ppm("P6 1 1 255 ", new byte[3]), LIMIT).width()).isEqualTo(1);
        assertThat(Pixmap.read(ppm("P6 1 1 255\t", new byte[3]), LIMIT).width()).isEqualTo(1);
    }

    @Test
    void wrongMagicIsRefused() {
        assertRefused(ppm("P5\n1 1\n255\n", new byte[3]), "does not start with P6");
        assertRefused(ppm("p6\n1 1\n255\n", new byte[3]), "does not start with P6");
        assertRefused(ppm("GIF89a", new byte[0]), "does not start with P6");
        assertRefused(ppm("", new byte[0]), "does not start with P6");
        assertRefused(ppm("P", new byte[0]), "does not start with P6");
    }

    @Test
    void asciiP3IsRefused() {
        assertRefused(ppm("P3\n1 1\n255\n0 0 0\n", new byte[0]), "does not start with P6");
    }

    @Test
    void zeroAndNegativeDimensionsAreRefused() {
        assertRefused(ppm("P6\n0 1\n255\n", new byte[0]), "out of range");
        assertRefused(ppm("P6\n1 0\n255\n", new byte[0]), "out of range");
        assertRefused(ppm("P6\n-1 1\n255\n", new byte[3]), "width is not an unsigned decimal number");
        assertRefused(ppm("P6\n1 +1\n255\n", new byte[3]), "height is not an unsigned decimal number");
    }

    @Test
    void hugeDimensionsFailFastWithoutAllocating() {
        Path huge = ppm("P6\n100000 100000\n255\n", new byte[16]);
        Path overflow = ppm("P6\n99999999999 1\n255\n", new byte[16]);
        Path withinSidesAboveLimit = ppm("P6\n20000 20000\n255\n", new byte[16]);

        org.assertj.core.api.Assertions.assertThat(Duration.ofMillis(timeMillis(() -> {
                    assertRefused(huge, "100000x100000 is out of range");
                    assertRefused(overflow, "more than 9 digits");
                    assertRefused(withinSidesAboveLimit, "400000000 pixels, more than the limit of 50000000");
                })))
                .isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void theCallersPixelLimitIsEnforced() {
        Path p = ppm("P6\n10 10\n255\n", new byte[300]);

        assertThat(Pixmap.read(p, 100).width()).isEqualTo(10);
        assertThatThrownBy(() -> Pixmap.read(p, 99))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("more than the limit of 99");
    }

    @Test
    void maxvalOtherThan255IsRefused() {
        assertRefused(ppm("P6\n1 1\n65535\n", new byte[6]), "maxval 65535 is not 255");
        assertRefused(ppm("P6\n1 1\n15\n", new byte[3]), "maxval 15 is not 255");
        assertRefused(ppm("P6\n1 1\n0\n", new byte[3]), "maxval 0 is not 255");
    }

    @Test
    void truncatedDataIsRefused() {
        assertRefused(ppm("P6\n2 2\n255\n", new byte[11]), "truncated");
        assertRefused(ppm("P6\n2 2\n255\n", new byte[0]), "truncated");
    }

    @Test
    void trailingBytesAreRefused() {
        assertRefused(ppm("P6\n2 2\n255\n", new byte[13]), "1 bytes after the end of the pixels");
        assertRefused(
                ppm("P6\n1 1\n255\n", "abcP6\n1 1\n255\nxyz".getBytes(StandardCharsets.US_ASCII)),
                "after the end of the pixels");
    }

    @Test
    void commentTricksAreRefused() {
        // A comment where the single whitespace before the raster must be.
        assertRefused(ppm("P6\n1 1\n255# hidden\n", new byte[3]), "not followed by a single whitespace byte");
        // A comment that never ends eats the header.
        assertRefused(ppm("P6\n1 1\n#" + "x".repeat(5000), new byte[3]), "comment runs past the end of the header");
        // A header padded past its bound with whitespace.
        assertRefused(ppm("P6" + " ".repeat(2000) + "1 1 255\n", new byte[3]), "header ends before the width");
        // A number glued to a non-digit.
        assertRefused(ppm("P6\n1x 1\n255\n", new byte[3]), "neither a digit nor whitespace");
        // Numbers with no separator after the magic.
        assertRefused(ppm("P61 1\n255\n", new byte[3]), "no whitespace before the width");
        // The header stops after the height.
        assertRefused(ppm("P6\n1 1", new byte[0]), "header ends before the maxval");
    }

    @Test
    void aSymbolicLinkIsNotFollowed() throws IOException {
        Path real = ppm("P6\n1 1\n255\n", new byte[3]);
        Path link = Files.createSymbolicLink(dir.resolve("page-1.ppm"), real);

        assertRefused(link, "not a regular file");
    }

    @Test
    void aDirectoryOrAMissingFileIsRefused() throws IOException {
        assertRefused(Files.createDirectory(dir.resolve("d")), "not a regular file");
        assertThatThrownBy(() -> Pixmap.read(dir.resolve("none.ppm"), LIMIT))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void theRecordRefusesInconsistentArrays() {
        assertThatThrownBy(() -> new Pixmap(2, 2, new byte[11])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Pixmap(0, 2, new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    private void assertRefused(Path file, String why) {
        assertThatThrownBy(() -> Pixmap.read(file, LIMIT))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining(why)
                .hasMessageNotContaining("\n");
    }

    private int count;

    private Path ppm(String header, byte[] data) {
        try {
            Path p = dir.resolve("case-" + count++ + ".ppm");
            byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = new byte[h.length + data.length];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(data, 0, all, h.length, data.length);
            return Files.write(p, all);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long timeMillis(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return (System.nanoTime() - start) / 1_000_000;
    }
}
