package io.isola.display;

import io.isola.linux.FrameFile;
import io.isola.linux.LinuxException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * The frames of one cell's display, read from the framebuffer file its Xvfb keeps ({@code -fbdir}) in a directory
 * the host made. Everything in that file is the cell's to write, so it is read as hostile: opened without
 * following links, only if it is a regular file, never mapped (a truncation would fault the host), read whole with
 * pread into buffers whose size the host fixed, its header checked on every read to be the one first accepted. A
 * frame is taken when the host wants one, never when the cell says so: a cell that redraws without pause is
 * sampled, not obeyed.
 */
public final class CellFrames implements AutoCloseable {
    private final FrameFile file;
    private final XwdHeader header;
    private final byte[] headerBytes;
    private final byte[] scratchHeader;
    private final int[] raw;
    private final int[] pixels;

    private CellFrames(FrameFile file, XwdHeader header, byte[] headerBytes) {
        this.file = file;
        this.header = header;
        this.headerBytes = headerBytes;
        this.scratchHeader = new byte[headerBytes.length];
        this.raw = ScreenBuffers.take(header.width() * header.height());
        this.pixels = ScreenBuffers.take(header.width() * header.height());
    }

    /**
     * Waits until the cell's display has made its screen file at {@code path} and opens it, while {@code running}.
     *
     * @throws FrameException when it is not there in time, or is not a screen of {@code width}×{@code height}
     */
    public static CellFrames open(
            Path path, int width, int height, Duration timeout, java.util.function.BooleanSupplier running)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!running.getAsBoolean()) {
                throw new FrameException("it ended before its display showed anything");
            }
            if (System.nanoTime() > deadline) {
                throw new FrameException(
                        "its display did not start within " + timeout.toSeconds() + " s (no screen file)");
            }
            Thread.sleep(2);
        }
        FrameFile f;
        try {
            f = FrameFile.open(path.toString());
        } catch (LinuxException e) {
            throw new FrameException("its screen file cannot be read: " + e.getMessage());
        }
        try {
            byte[] first = new byte[XwdHeader.MAX_HEADER];
            int n = f.read(0, first, first.length);
            // Xvfb makes the file, sizes it, then writes the header: until then it reads as zeros or short
            while (notYetWritten(first, n)) {
                if (System.nanoTime() > deadline || !running.getAsBoolean()) {
                    throw new FrameException("its display made its screen file but never wrote it");
                }
                Thread.sleep(2);
                n = f.read(0, first, first.length);
            }
            // ...and fills it in field by field: a header that does not parse yet is read again until the deadline
            XwdHeader h;
            while (true) {
                try {
                    h = XwdHeader.parse(first, n, width, height);
                    break;
                } catch (FrameException e) {
                    if (System.nanoTime() > deadline || !running.getAsBoolean()) {
                        throw e;
                    }
                }
                Thread.sleep(2);
                n = f.read(0, first, first.length);
            }
            byte[] headerBytes = Arrays.copyOf(first, (int) Math.min(h.pixelOffset(), XwdHeader.MAX_HEADER));
            CellFrames frames = new CellFrames(f, h, headerBytes);
            frames.checkSize();
            return frames;
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private static boolean notYetWritten(byte[] header, int length) {
        if (length < XwdHeader.FIXED) {
            return true;
        }
        for (int i = 0; i < XwdHeader.FIXED; i++) {
            if (header[i] != 0) {
                return false;
            }
        }
        return true;
    }

    public int width() {
        return header.width();
    }

    public int height() {
        return header.height();
    }

    /** The pixels of the last frame read, 0xRRGGBB, row by row. Owned by this object; copy what you keep. */
    public int[] pixels() {
        return pixels;
    }

    /**
     * Reads the screen as it is now into {@link #pixels()}.
     *
     * @return the rows that changed since the last read, or null when none did
     * @throws FrameException when the file no longer is the screen first accepted (changed header, truncated)
     */
    public Rows read() {
        return read(header.height());
    }

    /**
     * Reads only the first {@code rows} rows (what a window that shows the top of the screen needs); the header and
     * the file's size are checked in full all the same.
     */
    public Rows read(int rows) {
        rows = Math.clamp(rows, 1, header.height());
        checkSize();
        if (file.read(0, scratchHeader, scratchHeader.length) != scratchHeader.length
                || !Arrays.equals(scratchHeader, headerBytes)) {
            throw new FrameException("its screen file's header changed while it was shown");
        }
        int want = rows * header.width();
        int n = file.readInts(
                header.pixelOffset(),
                raw,
                want,
                header.littleEndian() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        if (n != want) {
            throw new FrameException("its screen file was truncated (" + n * 4L + " of " + want * 4L + " pixel bytes)");
        }
        int w = header.width(), first = -1, last = -1;
        for (int y = 0; y < rows; y++) {
            int at = y * w;
            // most rows are as they were: compared as read (the kept ones have no alpha byte, and an X server of
            // depth 24 writes none), and only a row that differs is cleared of it and compared again
            if (Arrays.mismatch(raw, at, at + w, pixels, at, at + w) < 0) {
                continue;
            }
            for (int x = at; x < at + w; x++) {
                raw[x] &= 0xffffff;
            }
            if (Arrays.mismatch(raw, at, at + w, pixels, at, at + w) >= 0) {
                System.arraycopy(raw, at, pixels, at, w);
                last = y;
                if (first < 0) {
                    first = y;
                }
            }
        }
        return first < 0 ? null : new Rows(first, last);
    }

    private void checkSize() {
        long size = file.size();
        if (size < header.fileSize()) {
            throw new FrameException("its screen file was truncated (" + size + " of " + header.fileSize() + " bytes)");
        }
        if (size > header.fileSize() + (1 << 20)) {
            throw new FrameException("its screen file grew to " + size + " bytes, past its screen's size");
        }
    }

    /** Rows {@code first} to {@code last}, inclusive. */
    public record Rows(int first, int last) {}

    @Override
    public void close() {
        file.close();
    }

    /**
     * Closes, and gives its buffers to the next window of this process: for a reader that holds no reference to
     * {@link #pixels()} from here on (a window's sampler, as it leaves).
     */
    void recycle() {
        close();
        ScreenBuffers.give(raw);
        ScreenBuffers.give(pixels);
    }
}
