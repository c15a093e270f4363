package io.isola.view.render;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes one image (its first frame) with the JDK's ImageIO and writes it as page-1.ppm, transparent parts
 * composited over white.
 *
 * <p>The size is read from the header and checked before any pixel is decoded, so an image that declares
 * 100000 × 100000 is refused at once instead of exhausting memory. An image larger than a page
 * ({@link Render#MAX_PAGE_SIDE} pixels a side) is scaled down to one.
 */
final class ImageRenderer {
    /** The largest width or height decoded. */
    static final int MAX_SIDE = 10_000;
    /** The most pixels decoded: 50 Mpixel, 200 MB as ARGB. */
    static final long MAX_PIXELS = 50_000_000L;
    /** The most pixels decoded from all pages of a TIFF together. */
    static final long MAX_TOTAL_PIXELS = 500_000_000L;
    /** The most pages of a TIFF, the host's page limit. */
    static final int MAX_PAGES = 1000;
    /** Formats decoded; ImageIO also reads WBMP, left out to keep the decoders exposed small. */
    private static final Set<String> FORMATS = Set.of("png", "jpeg", "gif", "bmp", "tif");

    private ImageRenderer() {}

    static void render(Path input, Path outDir) throws RenderFailure {
        // No disk cache: decoding needs none, and the cell may have no writable temporary directory.
        ImageIO.setUseCache(false);
        try (ImageInputStream in = ImageIO.createImageInputStream(input.toFile())) {
            if (in == null) {
                throw RenderFailure.badInput("cannot open " + input);
            }
            ImageReader reader = readerFor(in);
            try {
                reader.setInput(in, false, true);
                // A GIF's further frames are animation; a TIFF's further images are pages, each one a page here.
                boolean pages = reader.getFormatName().equalsIgnoreCase("tif")
                        || reader.getFormatName().equalsIgnoreCase("tiff");
                int count = 0;
                long pixels = 0;
                for (int i = 0; i == 0 || pages && hasImage(reader, i); i++) {
                    if (i >= MAX_PAGES) {
                        throw RenderFailure.badInput("the image has more than " + MAX_PAGES + " pages, the limit");
                    }
                    int w = reader.getWidth(i);
                    int h = reader.getHeight(i);
                    pixels += (long) Math.max(w, 0) * Math.max(h, 0);
                    if (w <= 0 || h <= 0 || w > MAX_SIDE || h > MAX_SIDE || (long) w * h > MAX_PIXELS) {
                        throw RenderFailure.badInput("image is " + w + "x" + h + ", more than the limit of " + MAX_SIDE
                                + " pixels a side and " + MAX_PIXELS + " pixels in all");
                    }
                    if (pixels > MAX_TOTAL_PIXELS) {
                        throw RenderFailure.badInput(
                                "the image's pages hold more than " + MAX_TOTAL_PIXELS + " pixels in all, the limit");
                    }
                    writePage(reader.read(i), PpmWriter.pageFile(outDir, ++count));
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw RenderFailure.badInput("cannot decode the image: " + oneLine(e.getMessage()));
        }
    }

    private static boolean hasImage(ImageReader reader, int index) throws IOException {
        try {
            reader.getWidth(index);
            return true;
        } catch (IndexOutOfBoundsException past) {
            return false;
        }
    }

    private static void writePage(BufferedImage image, Path page) throws RenderFailure {
        if (image.getWidth() > Render.MAX_PAGE_SIDE || image.getHeight() > Render.MAX_PAGE_SIDE) {
            PpmWriter.write(scaledOverWhite(image), page);
        } else {
            writeOverWhite(image, page);
        }
    }

    private static ImageReader readerFor(ImageInputStream in) throws RenderFailure, IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            if (FORMATS.contains(r.getFormatName().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw RenderFailure.badInput("not a PNG, JPEG, GIF, BMP or TIFF image");
    }

    /**
     * The image scaled to fit a page of {@link Render#MAX_PAGE_SIDE} pixels a side, composited over white: the host
     * takes no larger page. Halved step by step while far too large, so a big photo does not alias into noise.
     */
    static BufferedImage scaledOverWhite(BufferedImage image) {
        double scale = (double) Render.MAX_PAGE_SIDE / Math.max(image.getWidth(), image.getHeight());
        int w = Math.max(1, Math.min(Render.MAX_PAGE_SIDE, (int) Math.round(image.getWidth() * scale)));
        int h = Math.max(1, Math.min(Render.MAX_PAGE_SIDE, (int) Math.round(image.getHeight() * scale)));
        BufferedImage current = image;
        while (current.getWidth() / 2 >= w && current.getHeight() / 2 >= h) {
            current = draw(current, current.getWidth() / 2, current.getHeight() / 2);
        }
        return draw(current, w, h);
    }

    private static BufferedImage draw(BufferedImage from, int w, int h) {
        BufferedImage to = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = to.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(from, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return to;
    }

    /** Writes row by row, so no second full-size image is made for the compositing. */
    private static void writeOverWhite(BufferedImage image, Path file) throws RenderFailure {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] row = new int[w];
        byte[] bytes = new byte[3 * w];
        try (OutputStream out = PpmWriter.open(file, w, h)) {
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    row[x] = overWhite(row[x]);
                }
                PpmWriter.toBytes(row, bytes);
                out.write(bytes);
            }
        } catch (IOException e) {
            throw PpmWriter.cannotWrite(file, e);
        }
    }

    /** Non-premultiplied ARGB over an opaque white background. */
    static int overWhite(int argb) {
        int a = argb >>> 24;
        if (a == 255) {
            return argb & 0xffffff;
        }
        int white = 255 * (255 - a);
        int r = ((argb >> 16 & 0xff) * a + white + 127) / 255;
        int g = ((argb >> 8 & 0xff) * a + white + 127) / 255;
        int b = ((argb & 0xff) * a + white + 127) / 255;
        return r << 16 | g << 8 | b;
    }

    static String oneLine(String s) {
        return s == null ? "malformed data" : s.replaceAll("[\\r\\n]+", " ");
    }
}
