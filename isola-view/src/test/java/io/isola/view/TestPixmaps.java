package io.isola.view;

import java.awt.image.BufferedImage;

/** Pixmaps made for tests. */
final class TestPixmaps {
    static final int RED = 0xd02020;
    static final int GREEN = 0x20a040;
    static final int BLUE = 0x2040c0;
    static final int GRAY = 0x808080;

    private TestPixmaps() {}

    /** Four quadrants: red top left, green top right, blue bottom left, gray bottom right. */
    static Pixmap quadrants(int width, int height) {
        byte[] rgb = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int c = y < height / 2 ? (x < width / 2 ? RED : GREEN) : (x < width / 2 ? BLUE : GRAY);
                put(rgb, 3 * (y * width + x), c);
            }
        }
        return new Pixmap(width, height, rgb);
    }

    /** The colour at the centre of each quadrant of {@code width × height}, in the order of {@link #quadrants}. */
    static int[][] quadrantCentres(int width, int height) {
        return new int[][] {
            {width / 4, height / 4},
            {3 * width / 4, height / 4},
            {width / 4, 3 * height / 4},
            {3 * width / 4, 3 * height / 4}
        };
    }

    /** The pixels of any image, as a renderer in the cell would hand them over. */
    static Pixmap of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                put(rgb, 3 * (y * w + x), image.getRGB(x, y));
            }
        }
        return new Pixmap(w, h, rgb);
    }

    private static void put(byte[] rgb, int i, int c) {
        rgb[i] = (byte) (c >> 16);
        rgb[i + 1] = (byte) (c >> 8);
        rgb[i + 2] = (byte) c;
    }
}
