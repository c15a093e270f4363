package io.isola.display;

import java.nio.ByteBuffer;

/**
 * The header of the XWD file Xvfb keeps its screen in ({@code -fbdir}), read as hostile input: the cell writes that
 * file and can put anything there. Only the one layout Isola asks Xvfb for is accepted (version 7, ZPixmap, depth 24
 * in 32-bit pixels, TrueColor with 8-bit channels) at exactly the size Isola asked for; anything else is a
 * {@link FrameException} that closes the window.
 *
 * @param width pixels per row
 * @param height rows
 * @param littleEndian the pixels' byte order
 * @param pixelOffset where the first row starts in the file
 */
public record XwdHeader(int width, int height, boolean littleEndian, long pixelOffset) {
    /** The fixed part: 25 big-endian 32-bit fields. */
    static final int FIXED = 100;
    /** More than Xvfb ever writes (fixed part plus a short window name). */
    static final int MAX_HEADER = 1024;
    /** Xvfb's colormap for TrueColor has 256 entries of 12 bytes. */
    static final int MAX_COLORS = 256, COLOR_SIZE = 12;
    /** The largest screen a cell may have: 4K in either direction. */
    public static final int MAX_SIDE = 4096;

    public int bytesPerRow() {
        return width * 4;
    }

    public long fileSize() {
        return pixelOffset + (long) bytesPerRow() * height;
    }

    /**
     * Parses the first {@link #MAX_HEADER} (or fewer) bytes of the file.
     *
     * @param expectedWidth the screen width Isola started the cell's display with
     * @param expectedHeight its height
     */
    static XwdHeader parse(byte[] b, int length, int expectedWidth, int expectedHeight) {
        if (length < FIXED) {
            throw new FrameException("its screen file is shorter than a screen header (" + length + " bytes)");
        }
        ByteBuffer h = ByteBuffer.wrap(b, 0, length); // XWD headers are big-endian, whatever the pixels are
        long headerSize = field(h, 0);
        long version = field(h, 1), format = field(h, 2), depth = field(h, 3);
        long width = field(h, 4), height = field(h, 5), byteOrder = field(h, 7), bitsPerPixel = field(h, 11);
        long bytesPerLine = field(h, 12), visualClass = field(h, 13);
        long red = field(h, 14), green = field(h, 15), blue = field(h, 16), ncolors = field(h, 19);
        require(version == 7, "its screen file is not XWD version 7 (" + version + ")");
        require(headerSize >= FIXED && headerSize <= MAX_HEADER, "its screen header claims " + headerSize + " bytes");
        require(format == 2 && visualClass == 4, "its screen is not a TrueColor ZPixmap");
        require(depth == 24 && bitsPerPixel == 32, "its screen is not 24-bit colour in 32-bit pixels");
        require(red == 0xff0000 && green == 0xff00 && blue == 0xff, "its screen's colour masks are not 8-bit RGB");
        require(byteOrder == 0 || byteOrder == 1, "its screen's byte order is " + byteOrder);
        require(ncolors <= MAX_COLORS, "its screen claims " + ncolors + " colormap entries");
        require(
                width >= 1 && height >= 1 && width <= MAX_SIDE && height <= MAX_SIDE,
                "its screen claims " + width + "×" + height + " pixels");
        require(
                width == expectedWidth && height == expectedHeight,
                "its screen is " + width + "×" + height + ", not the " + expectedWidth + "×" + expectedHeight
                        + " it was given");
        require(bytesPerLine == width * 4, "its screen's rows are " + bytesPerLine + " bytes, not " + width * 4);
        return new XwdHeader((int) width, (int) height, byteOrder == 0, headerSize + ncolors * COLOR_SIZE);
    }

    private static long field(ByteBuffer h, int i) {
        return Integer.toUnsignedLong(h.getInt(i * 4));
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new FrameException(what);
        }
    }
}
