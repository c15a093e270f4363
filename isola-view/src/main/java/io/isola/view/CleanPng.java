package io.isola.view;

import io.isola.core.IsolaException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes one pixmap as a PNG. The image is built here from the checked pixel array, so the file holds the JDK's own
 * PNG encoding of those pixels and nothing from the document (no text chunks, no metadata, no second image).
 */
public final class CleanPng {
    private CleanPng() {}

    /**
     * Writes {@code pixmap} to {@code target}, which appears complete or not at all.
     *
     * @throws IsolaException if {@code target} exists (it is never overwritten) or cannot be written
     */
    public static void write(Pixmap pixmap, Path target) {
        BufferedImage image = toImage(pixmap);
        try (AtomicOutput output = AtomicOutput.create(target)) {
            try {
                // No disk cache: the encoder needs none for writing, and it would leave files in java.io.tmpdir.
                ImageIO.setUseCache(false);
                if (!ImageIO.write(image, "png", output.stream())) {
                    throw new IsolaException("this Java runtime has no PNG writer");
                }
            } catch (IOException e) {
                throw new IsolaException("cannot write the PNG " + target + ": " + e.getMessage());
            }
            output.publish();
        }
    }

    /** RGB bytes to the BGR order of TYPE_3BYTE_BGR's backing array. */
    static BufferedImage toImage(Pixmap pixmap) {
        BufferedImage image = new BufferedImage(pixmap.width(), pixmap.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        byte[] rgb = pixmap.rgb();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return image;
    }
}
