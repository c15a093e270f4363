package io.isola.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.IsolaException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** PPMs one after another on a stream, as pdftoppm writes them to its output: the same strict header, no slack. */
class PixmapStreamTest {
    private static byte[] ppm(String header, int rasterBytes) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes(new byte[rasterBytes]);
        return b.toByteArray();
    }

    private static InputStream stream(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return new ByteArrayInputStream(b.toByteArray());
    }

    @Test
    void pagesAreReadOneAfterAnotherUntilTheStreamEnds() {
        InputStream in = stream(ppm("P6\n2 3\n255\n", 18), ppm("P6 # a comment\n4 1 255 ", 12));
        Pixmap a = Pixmap.readNext(in, 1650, 1L << 20, "page 1");
        Pixmap b = Pixmap.readNext(in, 1650, 1L << 20, "page 2");
        assertThat(a.width()).isEqualTo(2);
        assertThat(a.height()).isEqualTo(3);
        assertThat(b.width()).isEqualTo(4);
        assertThat(Pixmap.readNext(in, 1650, 1L << 20, "page 3")).isNull();
    }

    @Test
    void whatIsNotStrictPpmOrBreaksALimitIsRefusedBeforeItsRasterIsRead() {
        for (String header : new String[] {
            "P5\n2 2\n255\n",
            "P6\n2 2\n65535\n",
            "P6\n2 2\n255#\n",
            "P6\n1651 1\n255\n",
            "P6\n2x 2\n255\n",
            "P6\n1234567890 1\n255\n",
            "P6\n" + "#".repeat(2000)
        }) {
            assertThatThrownBy(() -> Pixmap.readNext(stream(ppm(header, 12)), 1650, 1L << 20, "page 1"))
                    .as(header)
                    .isInstanceOf(IsolaException.class)
                    .hasMessageStartingWith("page file page 1 is not a valid P6 PPM");
        }
        assertThatThrownBy(() -> Pixmap.readNext(stream(ppm("P6\n1000 1000\n255\n", 0)), 1650, 1000, "page 1"))
                .hasMessageContaining("more than the limit of 1000");
        assertThatThrownBy(() -> Pixmap.readNext(stream(ppm("P6\n2 2\n255\n", 11)), 1650, 1L << 20, "page 1"))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> Pixmap.readNext(stream(ppm("P6\n2 2\n2", 0)), 1650, 1L << 20, "page 1"))
                .hasMessageContaining("ends inside the header");
    }
}
