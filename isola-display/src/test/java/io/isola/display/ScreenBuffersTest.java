package io.isola.display;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window's screen buffers are kept for the next window of the process: nothing of one cell's screen may reach
 * another's. Real screen files read by real readers, one after the other, in one process.
 */
class ScreenBuffersTest {
    private static final int W = CellFramesTest.W, H = CellFramesTest.H;

    @TempDir
    Path dir;

    @Test
    void theNextReaderOfABufferSeesOnlyItsOwnScreenAsIfItsBuffersWereNew() throws Exception {
        Path first = Files.write(dir.resolve("first"), CellFramesTest.xwd(W, H)); // a pattern on every pixel
        CellFrames a = CellFrames.open(first, W, H, Duration.ofMillis(300), () -> true);
        assertThat(a.read()).isEqualTo(new CellFrames.Rows(0, H - 1));
        a.recycle();
        assertThat(ScreenBuffers.kept()).as("its two buffers, kept").isEqualTo(2);

        // the next cell's screen is black but for one white row
        byte[] black = CellFramesTest.xwd(W, H);
        int pixels = black.length - W * H * 4;
        java.util.Arrays.fill(black, pixels, black.length, (byte) 0);
        ByteBuffer.wrap(black).putInt(pixels + 7 * W * 4, 0xffffff00); // row 7's first pixel, BGRX
        Path second = Files.write(dir.resolve("second"), black);
        try (CellFrames b = CellFrames.open(second, W, H, Duration.ofMillis(300), () -> true)) {
            assertThat(ScreenBuffers.kept())
                    .as("both handed on to the next reader")
                    .isZero();
            assertThat(b.read())
                    .as("only its own row differs from a new screen")
                    .isEqualTo(new CellFrames.Rows(7, 7));
            assertThat(b.pixels()).containsOnly(0, 0xffffff);
        }
    }

    @Test
    void aBufferIsKeptOnceAtMostOneWindowsWorthAndOnlyOfTheLastSize() {
        int[] one = ScreenBuffers.take(10);
        ScreenBuffers.give(one);
        assertThatThrownBy(() -> ScreenBuffers.give(one)).isInstanceOf(IllegalStateException.class);
        assertThat(ScreenBuffers.take(10)).isSameAs(one);
        for (int i = 0; i < ScreenBuffers.KEEP + 2; i++) {
            ScreenBuffers.give(new int[10]);
        }
        assertThat(ScreenBuffers.kept()).isEqualTo(ScreenBuffers.KEEP);
        ScreenBuffers.give(new int[20]); // the desktop changed size: the old size's go
        assertThat(ScreenBuffers.kept()).isOne();
        assertThat(ScreenBuffers.take(10)).isNotSameAs(one).hasSize(10);
    }
}
