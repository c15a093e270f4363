package io.isola.view;

import io.isola.core.IsolaException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * One page of pixels: {@code width × height} pixels, 3 bytes each (red, green, blue), rows top to bottom.
 *
 * <p>This is all the host takes from a safe-view cell, so {@link #read} is the one parser that sees hostile bytes.
 * It accepts a strict subset of binary PPM (netpbm P6), the format pdftoppm and the in-cell renderer write:
 * <ul>
 *   <li>magic {@code P6}, then width, height and maxval as unsigned decimal numbers of at most 9 digits, separated
 *       by whitespace (space, tab, CR, LF, VT, FF) and {@code #} comments that run to the end of the line;</li>
 *   <li>a comment may only stand where whitespace may (netpbm's old rule that a comment may split a number is not
 *       followed), and the whole header is at most {@value #MAX_HEADER} bytes;</li>
 *   <li>after maxval comes exactly one whitespace byte, then the raster;</li>
 *   <li>maxval must be exactly 255: both producers write 255, and a smaller one would only be a place for bugs;</li>
 *   <li>the raster is exactly {@code 3 × width × height} bytes to the end of the file: truncated or trailing bytes are
 *       refused, so one file cannot smuggle two images or hide data.</li>
 * </ul>
 * Sizes are checked against the file length and the caller's pixel limit before anything is allocated.
 */
public record Pixmap(int width, int height, byte[] rgb) {
    /** The largest width or height accepted. At 100 dpi that is 200 inches, and 14400 PDF points, PDF's own limit. */
    public static final int MAX_SIDE = 20_000;
    /** The most bytes a header may take, comments included. */
    static final int MAX_HEADER = 1024;
    /** The most pixels any pixmap can hold: its bytes must fit in one Java array. */
    private static final long ARRAY_PIXELS = (Integer.MAX_VALUE - 16) / 3;

    public Pixmap {
        if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("pixmap size " + width + "x" + height + " is out of range");
        }
        if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("pixmap of " + width + "x" + height + " needs " + 3L * width * height
                    + " bytes, got " + rgb.length);
        }
    }

    /** The colour of one pixel as 0xRRGGBB. */
    public int rgbAt(int x, int y) {
        int i = 3 * (y * width + x);
        return (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | rgb[i + 2] & 0xff;
    }

    /**
     * Reads a binary PPM written by an untrusted producer.
     *
     * @param maxPixels the most pixels (width × height) to accept; larger images are refused before reading the raster
     * @throws IsolaException with a one-line message naming the file and what is wrong with it
     */
    public static Pixmap read(Path ppm, long maxPixels) {
        return read(ppm, MAX_SIDE, maxPixels);
    }

    /**
     * Reads a binary PPM written by an untrusted producer, refusing it from its header alone when it is wider or
     * taller than {@code maxSide} or has more than {@code maxPixels} pixels.
     *
     * @throws IsolaException with a one-line message naming the file and what is wrong with it
     */
    public static Pixmap read(Path ppm, int maxSide, long maxPixels) {
        try (SeekableByteChannel in = openRegularFile(ppm)) {
            long fileSize = in.size();
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(MAX_HEADER, fileSize));
            while (head.hasRemaining() && in.read(head) > 0) {
                // fill what the header can take
            }
            head.flip();
            Header h = Header.parse(head, ppm);
            long pixels = h.pixelsWithin(maxSide, maxPixels, ppm);
            long expected = h.headerLength + 3 * pixels;
            if (fileSize < expected) {
                throw bad(
                        ppm,
                        "truncated: " + h.width + "x" + h.height + " needs " + expected + " bytes, the file has "
                                + fileSize);
            }
            if (fileSize > expected) {
                throw bad(ppm, (fileSize - expected) + " bytes after the end of the pixels");
            }
            byte[] rgb = new byte[(int) (3 * pixels)];
            ByteBuffer raster = ByteBuffer.wrap(rgb);
            in.position(h.headerLength);
            while (raster.hasRemaining()) {
                if (in.read(raster) < 0) {
                    throw bad(ppm, "truncated while reading (the file shrank)");
                }
            }
            if (in.read(ByteBuffer.allocate(1)) > 0) {
                throw bad(ppm, "bytes after the end of the pixels (the file grew)");
            }
            return new Pixmap(h.width, h.height, rgb);
        } catch (NoSuchFileException e) {
            throw new IsolaException("page file " + ppm + " does not exist");
        } catch (IOException e) {
            throw new IsolaException("cannot read page file " + ppm + ": " + e.getMessage());
        }
    }

    /**
     * Reads the next of a stream of binary PPMs written one after another by an untrusted producer (pdftoppm writing
     * to its standard output), with the same strict header as {@link #read(Path, int, long)}: nothing is read past the
     * header's single whitespace byte before the sizes are checked, and then exactly the raster. The stream's end is
     * allowed only between pages.
     *
     * @param name what to call the page in errors (e.g. {@code page 3})
     * @return the page, or null at the end of the stream
     * @throws IsolaException naming the page when the header is not strict P6, breaks a limit, or the raster is cut
     */
    public static Pixmap readNext(InputStream in, int maxSide, long maxPixels, String name) {
        Path shown = Path.of(name);
        try {
            int first = in.read();
            if (first < 0) {
                return null;
            }
            byte[] head = new byte[MAX_HEADER];
            int n = 0;
            head[n++] = (byte) first;
            // The header ends at the single whitespace byte after the third number: read up to it, a byte at a time
            int numbers = 0;
            boolean inNumber = false, inComment = false;
            while (true) {
                if (n == 2 && (head[0] != 'P' || head[1] != '6')) {
                    throw bad(shown, "it does not start with P6");
                }
                if (numbers == 3 && !inNumber && n > 2) {
                    break;
                }
                if (n == MAX_HEADER) {
                    throw bad(shown, "the header is longer than " + MAX_HEADER + " bytes");
                }
                int c = in.read();
                if (c < 0) {
                    throw bad(shown, "the stream ends inside the header");
                }
                head[n++] = (byte) c;
                if (n <= 2) {
                    continue;
                }
                if (inComment) {
                    inComment = c != '\n' && c != '\r';
                } else if (c >= '0' && c <= '9') {
                    inNumber = true;
                } else {
                    if (inNumber && ++numbers == 3) {
                        inNumber = false; // this byte ends maxval: the raster follows
                        continue;
                    }
                    inNumber = false;
                    inComment = c == '#';
                }
            }
            Header h = Header.parse(ByteBuffer.wrap(head, 0, n), shown);
            if (h.headerLength != n) {
                throw bad(shown, "the header does not end where its maxval does");
            }
            long pixels = h.pixelsWithin(maxSide, maxPixels, shown);
            byte[] rgb = new byte[(int) (3 * pixels)]; // read straight into place: no chunks to join
            int got = in.readNBytes(rgb, 0, rgb.length);
            if (got != rgb.length) {
                throw bad(
                        shown,
                        "truncated: " + h.width + "x" + h.height + " needs " + rgb.length + " bytes of "
                                + "pixels, the stream had " + got);
            }
            return new Pixmap(h.width, h.height, rgb);
        } catch (IOException e) {
            throw new IsolaException("cannot read the rendered " + name + ": " + e.getMessage());
        }
    }

    /** Only a regular file, never through a symbolic link: a cell could point one at a host file or a device. */
    private static SeekableByteChannel openRegularFile(Path ppm) throws IOException {
        BasicFileAttributes a = Files.readAttributes(ppm, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw bad(ppm, "not a regular file");
        }
        return Files.newByteChannel(ppm, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    static IsolaException bad(Path ppm, String what) {
        return new IsolaException("page file " + ppm.getFileName() + " is not a valid P6 PPM: " + what);
    }

    /** The parsed header; {@code headerLength} is the offset of the first raster byte. */
    private record Header(int width, int height, int headerLength) {
        /** The pixel count, checked against the sides and the count a renderer was told, before any is read. */
        long pixelsWithin(int maxSide, long maxPixels, Path ppm) {
            if (width > maxSide || height > maxSide) {
                throw bad(
                        ppm,
                        width + "x" + height + " is more than " + maxSide + " pixels a side, the most a "
                                + "renderer is told to make");
            }
            long pixels = (long) width * height;
            if (pixels > maxPixels || pixels > ARRAY_PIXELS) {
                throw bad(
                        ppm,
                        width + "x" + height + " is " + pixels + " pixels, more than the limit of "
                                + Math.min(maxPixels, ARRAY_PIXELS));
            }
            return pixels;
        }

        static Header parse(ByteBuffer b, Path ppm) {
            if (b.remaining() < 2 || b.get() != 'P' || b.get() != '6') {
                throw bad(ppm, "it does not start with P6");
            }
            int width = number(b, ppm, "width");
            int height = number(b, ppm, "height");
            int maxval = number(b, ppm, "maxval");
            if (width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE) {
                throw bad(ppm, "size " + width + "x" + height + " is out of range (1 to " + MAX_SIDE + " each)");
            }
            if (maxval != 255) {
                throw bad(ppm, "maxval " + maxval + " is not 255");
            }
            if (!b.hasRemaining() || !isWhitespace(b.get())) {
                throw bad(ppm, "maxval is not followed by a single whitespace byte");
            }
            return new Header(width, height, b.position());
        }

        /** Skips whitespace and comments (at least one separator is required), then reads one decimal number. */
        private static int number(ByteBuffer b, Path ppm, String name) {
            int separators = 0;
            while (b.hasRemaining()) {
                byte c = b.get(b.position());
                if (isWhitespace(c)) {
                    b.get();
                    separators++;
                } else if (c == '#') {
                    skipComment(b, ppm);
                    separators++;
                } else {
                    break;
                }
            }
            if (!b.hasRemaining()) {
                throw bad(ppm, "the header ends before the " + name + " (or is longer than " + MAX_HEADER + " bytes)");
            }
            if (separators == 0) {
                throw bad(ppm, "no whitespace before the " + name);
            }
            long value = 0;
            int digits = 0;
            while (b.hasRemaining() && b.get(b.position()) >= '0' && b.get(b.position()) <= '9') {
                if (++digits > 9) {
                    throw bad(ppm, name + " has more than 9 digits");
                }
                value = value * 10 + (b.get() - '0');
            }
            if (digits == 0) {
                throw bad(ppm, name + " is not an unsigned decimal number");
            }
            if (b.hasRemaining() && !isWhitespace(b.get(b.position())) && b.get(b.position()) != '#') {
                throw bad(ppm, name + " is followed by a byte that is neither a digit nor whitespace");
            }
            return (int) value;
        }

        private static void skipComment(ByteBuffer b, Path ppm) {
            while (b.hasRemaining()) {
                byte c = b.get();
                if (c == '\n' || c == '\r') {
                    return;
                }
            }
            throw bad(ppm, "a comment runs past the end of the header (" + MAX_HEADER + " bytes at most)");
        }

        private static boolean isWhitespace(byte c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
        }
    }
}
