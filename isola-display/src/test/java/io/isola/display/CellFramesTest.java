package io.isola.display;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's reading of a cell's screen file, which the cell can write anything into: every hostile shape of that
 * file ends in a {@link FrameException} with a message for the user, never a fault, a hang or a huge allocation.
 */
class CellFramesTest {
    static final int W = 64, H = 48;

    @TempDir
    Path dir;

    /** A screen file laid out as Xvfb writes it (header, 256 colours, pixels), with a test pattern. */
    static byte[] xwd(int width, int height) {
        int header = 104, colors = 256;
        ByteBuffer b = ByteBuffer.allocate(header + colors * 12 + width * height * 4);
        int[] f = {
            header, 7, 2, 24, width, height, 0, 0, 32, 0, 32, 32, width * 4, 4, 0xff0000, 0xff00, 0xff, 8, 256, colors,
            width, height, 0, 0, 0
        };
        for (int v : f) {
            b.putInt(v);
        }
        b.put("cell".getBytes());
        b.position(header + colors * 12);
        for (int i = 0; i < width * height; i++) {
            b.put((byte) i).put((byte) (i >> 8)).put((byte) 0x80).put((byte) 0); // little-endian BGRX
        }
        return b.array();
    }

    Path screen(byte[] content) throws IOException {
        return Files.write(dir.resolve("Xvfb_screen0"), content);
    }

    CellFrames open(Path p) throws InterruptedException {
        return CellFrames.open(p, W, H, Duration.ofMillis(300), () -> true);
    }

    @Test
    void aScreenAsXvfbWritesItIsReadWithItsChangedRows() throws Exception {
        Path p = screen(xwd(W, H));
        try (CellFrames f = open(p)) {
            assertThat(f.read()).isEqualTo(new CellFrames.Rows(0, H - 1));
            assertThat(f.pixels()[1]).isEqualTo(0x800001);
            assertThat(f.read()).isNull(); // nothing changed
            try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
                raf.seek(104 + 256 * 12 + 10 * W * 4);
                raf.write(new byte[] {1, 2, 3, 0});
            }
            assertThat(f.read()).isEqualTo(new CellFrames.Rows(10, 10));
            assertThat(f.pixels()[10 * W]).isEqualTo(0x030201);
        }
    }

    /** The byte X leaves unused in a 32-bit pixel is the cell's to write: it never shows, nor counts as a change. */
    @Test
    void thePaddingByteOfAPixelIsNeitherShownNorAChange() throws Exception {
        Path p = screen(xwd(W, H));
        long row20 = 104 + 256 * 12 + 20 * W * 4;
        try (CellFrames f = open(p)) {
            f.read();
            try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
                for (int x = 0; x < W; x++) { // row 20: the same colours, the padding byte set
                    raf.seek(row20 + x * 4L + 3);
                    raf.write(0xff);
                }
            }
            assertThat(f.read()).as("only the padding byte changed").isNull();
            try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
                raf.seek(row20);
                raf.write(new byte[] {9, 9, 9, (byte) 0xff});
            }
            assertThat(f.read()).isEqualTo(new CellFrames.Rows(20, 20));
            assertThat(f.pixels()[20 * W]).isEqualTo(0x090909);
            assertThat(f.pixels()[20 * W + 1])
                    .as("a padded pixel reads as its colour")
                    .isEqualTo(0x800501);
        }
    }

    @Test
    void aScreenOfAnotherSizeThanTheOneGivenIsRefused() throws Exception {
        Path p = screen(xwd(W + 1, H));
        assertThatThrownBy(() -> open(p))
                .isInstanceOf(FrameException.class)
                .hasMessage("its screen is 65×48, not the 64×48 it was given");
    }

    @Test
    void hugeClaimedSizesAreRefusedBeforeAnythingIsAllocated() throws Exception {
        byte[] b = xwd(W, H);
        ByteBuffer.wrap(b).putInt(16, 0x7fffffff).putInt(20, 0x7fffffff);
        assertThatThrownBy(() -> open(screen(b))).hasMessageContaining("claims 2147483647×2147483647 pixels");
        ByteBuffer.wrap(b).putInt(16, W).putInt(20, H).putInt(0, 1 << 30);
        assertThatThrownBy(() -> open(screen(b))).hasMessageContaining("header claims 1073741824 bytes");
        ByteBuffer.wrap(b).putInt(0, 104).putInt(76, 1 << 28);
        assertThatThrownBy(() -> open(screen(b))).hasMessageContaining("268435456 colormap entries");
    }

    @Test
    void garbageIsRefused() throws Exception {
        byte[] junk = new byte[5000];
        new java.util.Random(1).nextBytes(junk);
        assertThatThrownBy(() -> open(screen(junk)))
                .isInstanceOf(FrameException.class)
                .hasMessageContaining("not XWD version 7");
        byte[] b = xwd(W, H);
        ByteBuffer.wrap(b).putInt(12, 8); // 8-bit depth
        assertThatThrownBy(() -> open(screen(b))).hasMessage("its screen is not 24-bit colour in 32-bit pixels");
    }

    @Test
    void aScreenTruncatedWhileShownClosesTheWindowInsteadOfFaultingTheHost() throws Exception {
        Path p = screen(xwd(W, H));
        try (CellFrames f = open(p)) {
            f.read();
            try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
                raf.setLength(500);
            }
            assertThatThrownBy(f::read)
                    .isInstanceOf(FrameException.class)
                    .hasMessageContaining("its screen file was truncated (500 of");
        }
    }

    @Test
    void aHeaderRewrittenWhileShownIsRefused() throws Exception {
        Path p = screen(xwd(W, H));
        try (CellFrames f = open(p)) {
            f.read();
            try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
                raf.seek(100);
                raf.write("evil".getBytes());
            }
            assertThatThrownBy(f::read).hasMessage("its screen file's header changed while it was shown");
        }
    }

    @Test
    void aFileThatKeepsGrowingIsRefused() throws Exception {
        Path p = screen(xwd(W, H));
        try (CellFrames f = open(p)) {
            try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
                raf.setLength(raf.length() + (2 << 20));
            }
            assertThatThrownBy(f::read).hasMessageContaining("grew to");
        }
    }

    @Test
    void aSymbolicLinkInPlaceOfTheScreenIsNotFollowed() throws Exception {
        Path target = Files.write(dir.resolve("elsewhere"), xwd(W, H));
        Path link = Files.createSymbolicLink(dir.resolve("Xvfb_screen0"), target);
        assertThatThrownBy(() -> open(link))
                .isInstanceOf(FrameException.class)
                .hasMessageContaining("its screen file cannot be read");
    }

    @Test
    void aFifoInPlaceOfTheScreenNeitherBlocksNorIsRead() throws Exception {
        Path fifo = dir.resolve("Xvfb_screen0");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor())
                .isZero();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> open(fifo)).hasMessageContaining("not a regular file");
        assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(5).toNanos());
    }

    @Test
    void aDisplayThatNeverShowsAScreenIsGivenUpOnWithAMessage() {
        assertThatThrownBy(() -> open(dir.resolve("Xvfb_screen0")))
                .hasMessage("its display did not start within 0 s (no screen file)");
        assertThatThrownBy(() -> CellFrames.open(dir.resolve("x"), W, H, Duration.ofSeconds(30), () -> false))
                .hasMessage("it ended before its display showed anything");
    }

    @Test
    void aScreenFileLeftEmptyIsGivenUpOn() throws Exception {
        Path p = screen(new byte[0]);
        assertThatThrownBy(() -> open(p)).hasMessage("its display made its screen file but never wrote it");
    }
}
