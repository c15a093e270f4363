package io.isola.display;

import io.isola.core.IsolaException;

/**
 * The sizes of one cell window, in device pixels (the host screen's own, whatever its scale): the cell's whole screen,
 * which is as large as the window may ever become, and the part of it the window shows at first. Resizing the window
 * changes the part shown and the size of the program's windows in the cell, never the screen, so the cell's screen
 * file keeps the one size the host checks every frame against, and no display restarts.
 *
 * @param screenWidth the cell's screen, which the window shows from its top-left corner
 * @param screenHeight its height
 * @param width the part shown at first
 * @param height its height
 * @param scale device pixels per logical pixel of the host's desktop (2 on a HiDPI screen at 200 %)
 */
public record WindowSize(int screenWidth, int screenHeight, int width, int height, double scale) {
    /** The smallest side of a screen or window; anything smaller is clamped to it. */
    public static final int MIN_SIDE = 64;
    /** The size shown at first, in logical pixels, where the desktop has room: fits a 1366×768 laptop with a panel. */
    public static final int PREFERRED_WIDTH = 1280, PREFERRED_HEIGHT = 720;

    public WindowSize {
        if (screenWidth < MIN_SIDE
                || screenHeight < MIN_SIDE
                || screenWidth > XwdHeader.MAX_SIDE
                || screenHeight > XwdHeader.MAX_SIDE) {
            throw new IsolaException(
                    "a cell's screen must be " + MIN_SIDE + "×" + MIN_SIDE + " to " + XwdHeader.MAX_SIDE + "×"
                            + XwdHeader.MAX_SIDE + " pixels, not " + screenWidth + "×" + screenHeight,
                    2);
        }
        if (width < MIN_SIDE || height < MIN_SIDE || width > screenWidth || height > screenHeight) {
            throw new IllegalArgumentException(
                    "a window of " + width + "×" + height + " on a screen of " + screenWidth + "×" + screenHeight);
        }
        if (!(scale >= 1 && scale <= 4)) {
            throw new IllegalArgumentException("scale " + scale);
        }
    }

    /** A window that shows a whole screen of this size at scale 1 (tests, the benchmark). */
    public static WindowSize fixed(int width, int height) {
        return new WindowSize(width, height, width, height, 1);
    }

    /**
     * For the desktop's default screen: the cell's screen has that screen's size in device pixels (at most
     * {@link XwdHeader#MAX_SIDE} a side), so the window can grow to fill it; the window starts at
     * {@link #PREFERRED_WIDTH}×{@link #PREFERRED_HEIGHT} logical pixels, or less where the screen (without its panels)
     * is smaller; the scale is the desktop's ({@code GraphicsConfiguration}'s default transform: GDK_SCALE, the
     * desktop's settings).
     */
    public static WindowSize forDesktop() {
        java.awt.GraphicsConfiguration gc;
        try {
            gc = java.awt.GraphicsEnvironment.getLocalGraphicsEnvironment()
                    .getDefaultScreenDevice()
                    .getDefaultConfiguration();
        } catch (java.awt.AWTError | RuntimeException e) { // DISPLAY names a server that does not answer
            throw new IsolaException(
                    "a window needs your desktop's display, and DISPLAY=" + System.getenv("DISPLAY")
                            + " does not answer (" + e.getMessage() + "): run it in your desktop session",
                    2);
        }
        double scale = Math.clamp(gc.getDefaultTransform().getScaleX(), 1, 4);
        java.awt.Rectangle screen = gc.getBounds();
        java.awt.Insets panels = java.awt.Toolkit.getDefaultToolkit().getScreenInsets(gc);
        int usableW = screen.width - panels.left - panels.right, usableH = screen.height - panels.top - panels.bottom;
        // room for the border, the menu bar and the desktop's title bar
        int w = Math.min(PREFERRED_WIDTH, usableW - 2 * WindowLook.BORDER - 16);
        int h = Math.min(PREFERRED_HEIGHT, usableH - 2 * WindowLook.BORDER - 80);
        return of(device(screen.width, scale), device(screen.height, scale), device(w, scale), device(h, scale), scale);
    }

    /** Clamps every side into bounds: a desktop may report anything. */
    static WindowSize of(int screenW, int screenH, int w, int h, double scale) {
        int sw = Math.clamp(screenW, MIN_SIDE, XwdHeader.MAX_SIDE),
                sh = Math.clamp(screenH, MIN_SIDE, XwdHeader.MAX_SIDE);
        return new WindowSize(sw, sh, Math.clamp(w, MIN_SIDE, sw), Math.clamp(h, MIN_SIDE, sh), scale);
    }

    private static int device(int logical, double scale) {
        return (int) Math.round(logical * scale);
    }

    /** The resolution the cell's programs are told, so that their text has the size the desktop's has. */
    public int dpi() {
        return (int) Math.round(96 * scale);
    }

    /** The part of the screen a window of {@code w}×{@code h} device pixels shows: clamped into the screen. */
    public int[] clampView(int w, int h) {
        return new int[] {Math.clamp(w, MIN_SIDE, screenWidth), Math.clamp(h, MIN_SIDE, screenHeight)};
    }
}
