package io.isola.view.render;

import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes pages as binary PPM (P6, maxval 255), the format the host's Pixmap reader accepts. */
final class PpmWriter {
    private PpmWriter() {}

    /** The file of page {@code number} (from 1) in {@code outDir}: page-1.ppm, page-2.ppm… */
    static Path pageFile(Path outDir, int number) {
        return outDir.resolve("page-" + number + ".ppm");
    }

    /** Writes an opaque RGB image; it must be TYPE_INT_RGB (or any type whose getRGB ignores alpha). */
    static void write(BufferedImage image, Path file) throws RenderFailure {
        int w = image.getWidth();
        int[] row = new int[w];
        byte[] bytes = new byte[3 * w];
        try (OutputStream out = open(file, w, image.getHeight())) {
            for (int y = 0; y < image.getHeight(); y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                toBytes(row, bytes);
                out.write(bytes);
            }
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
    }

    /** Opens {@code file} (which must not exist yet) and writes the header of a {@code w × h} image. */
    static OutputStream open(Path file, int w, int h) throws IOException {
        if (w > Render.MAX_PAGE_SIDE || h > Render.MAX_PAGE_SIDE) { // the host would refuse it anyway
            throw new IllegalArgumentException(
                    "a page of " + w + "x" + h + " is over " + Render.MAX_PAGE_SIDE + " pixels a side");
        }
        OutputStream out = new BufferedOutputStream(
                Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16);
        out.write(("P6\n" + w + " " + h + "\n255\n").getBytes(StandardCharsets.US_ASCII));
        return out;
    }

    /** 0x??RRGGBB ints to R, G, B bytes. */
    static void toBytes(int[] rgb, byte[] out) {
        for (int x = 0, i = 0; x < rgb.length; x++) {
            int c = rgb[x];
            out[i++] = (byte) (c >> 16);
            out[i++] = (byte) (c >> 8);
            out[i++] = (byte) c;
        }
    }

    static RenderFailure cannotWrite(Path file, IOException e) {
        return RenderFailure.environment("cannot write " + file + ": " + e.getMessage());
    }
}
