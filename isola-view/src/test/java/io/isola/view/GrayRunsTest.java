package io.isola.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PDF's RunLength encoding of gray pixels, decoded here by the standard's rules: every byte comes back. */
class GrayRunsTest {
    private static byte[] rgbOf(byte[] gray) {
        byte[] rgb = new byte[gray.length * 3];
        for (int i = 0; i < gray.length; i++) {
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray[i];
        }
        return rgb;
    }

    /** ISO 32000-1, 7.4.5: 0-127 copy the next n+1 bytes, 129-255 repeat the next byte 257-n times, 128 ends. */
    private static byte[] decode(byte[] runs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (true) {
            int n = runs[i++] & 0xff;
            if (n == 128) {
                assertThat(i).as("nothing after the end marker").isEqualTo(runs.length);
                return out.toByteArray();
            }
            if (n < 128) {
                out.write(runs, i, n + 1);
                i += n + 1;
            } else {
                for (int k = 0; k < 257 - n; k++) {
                    out.write(runs[i]);
                }
                i++;
            }
        }
    }

    @Test
    void everyPatternComesBackExactly() {
        Random random = new Random(42);
        for (int trial = 0; trial < 500; trial++) {
            int length = 1 + random.nextInt(trial < 100 ? 20 : 3000);
            byte[] gray = new byte[length];
            int i = 0;
            while (i < length) { // runs of every length and literals, as text, photos and blank pages give
                int run = Math.min(length - i, random.nextInt(4) == 0 ? 1 + random.nextInt(300) : 1);
                byte v = (byte) (random.nextInt(3) == 0 ? 0xff : random.nextInt(256));
                for (int k = 0; k < run; k++) {
                    gray[i++] = run == 1 ? (byte) random.nextInt(256) : v;
                }
            }
            assertThat(decode(GrayRuns.encodeOrNull(rgbOf(gray)))).isEqualTo(gray);
        }
        for (int length : new int[] {1, 2, 127, 128, 129, 256, 257, 1000}) {
            byte[] same = new byte[length];
            assertThat(decode(GrayRuns.encodeOrNull(rgbOf(same)))).isEqualTo(same);
            byte[] alternating = new byte[length];
            for (int k = 0; k < length; k++) {
                alternating[k] = (byte) (k % 2);
            }
            assertThat(decode(GrayRuns.encodeOrNull(rgbOf(alternating)))).isEqualTo(alternating);
        }
    }

    @Test
    void aSinglePixelOfColourAnywhereMeansNotGray() {
        for (int at : new int[] {0, 1, 127, 128, 500, 999}) {
            for (int channel = 1; channel <= 2; channel++) {
                byte[] rgb = rgbOf(new byte[1000]);
                rgb[3 * at + channel] = 1;
                assertThat(GrayRuns.encodeOrNull(rgb)).as("at %d", at).isNull();
            }
        }
    }
}
