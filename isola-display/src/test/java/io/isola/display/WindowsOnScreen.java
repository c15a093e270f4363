package io.isola.display;

/**
 * For the end-to-end tests that read a desktop's screen as pixels: where an Isola window's host-drawn border is, and
 * whether the window shows its cell's screen yet or still says that the cell is starting ({@link WindowLook#STARTING}).
 */
public final class WindowsOnScreen {
    private static final int STARTING = WindowLook.STARTING.getRGB() & 0xffffff;

    private WindowsOnScreen() {}

    /** A screen read whole, row by row, 0xRRGGBB. */
    public interface Screen {
        int[] read() throws InterruptedException;
    }

    /**
     * The first border of {@code level}'s colour on {@code s}, a screen {@code width} pixels wide: its top-left
     * corner and a pixel inside it, three border widths in (past the border at a HiDPI scale too), as {x, y, rgb};
     * or null.
     */
    public static int[] anyBorder(int[] s, int width, String level) {
        int rgb = new WindowLook(level, "").border().getRGB() & 0xffffff;
        int b = WindowLook.BORDER;
        for (int i = 0; i + 3 * b * width + 3 * b < s.length; i++) {
            if (s[i] == rgb && i % width + 3 * b < width && s[i + b - 1] == rgb && s[i + (b - 1) * width] == rgb) {
                return new int[] {i % width, i / width, s[i + 3 * b + 3 * b * width]};
            }
        }
        return null;
    }

    /** Whether {@code border} (from {@link #anyBorder}) belongs to a window that still says its cell is starting. */
    public static boolean starting(int[] border) {
        return border != null && border[2] == STARTING;
    }

    /**
     * The top-left corner of a window of {@code level} that shows its cell's screen, or null. Two looks must agree:
     * a look taken while the window paints for the first time can tear (the border painted, the window's background
     * still inside).
     */
    public static int[] showingCell(Screen screen, int width, String level) throws InterruptedException {
        int[] a = anyBorder(screen.read(), width, level);
        if (a == null || starting(a)) {
            return null;
        }
        int[] b = anyBorder(screen.read(), width, level);
        return b == null || starting(b) || b[0] != a[0] || b[1] != a[1] ? null : new int[] {b[0], b[1]};
    }
}
