package io.isola.display;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

/**
 * The screen-sized pixel buffers a window reads and shows (three per window: 6.4 MB each for a 1600×1000 screen),
 * kept for the next window of this process. A process that draws many windows (the session's agent) otherwise
 * paid, per window, the kernel's first touch of ~19 MB of fresh heap, or a young collection that copied the open
 * windows' buffers (35–80 ms on the machines measured). A buffer comes out zeroed, as a new one would, so nothing
 * of one cell's screen reaches another's window; one is given back only when nothing reads or writes it any more.
 */
final class ScreenBuffers {
    /** One window's worth: a person seldom has more open at once, and each kept buffer is memory held while idle. */
    static final int KEEP = 3;

    private static final ArrayDeque<int[]> FREE = new ArrayDeque<>();

    private ScreenBuffers() {}

    /** A zeroed buffer of {@code length} pixels: a kept one if there is one of that length, else a new one. */
    static int[] take(int length) {
        int[] kept = null;
        synchronized (FREE) {
            for (Iterator<int[]> i = FREE.iterator(); i.hasNext(); ) {
                int[] b = i.next();
                if (b.length == length) {
                    i.remove();
                    kept = b;
                    break;
                }
            }
        }
        if (kept == null) {
            return new int[length];
        }
        Arrays.fill(kept, 0);
        return kept;
    }

    /**
     * Keeps {@code buffer} for a later window. The caller has no reference left that anything still uses: the
     * window that drew from it is gone, its reader has stopped. The oldest is dropped when more than {@link #KEEP} are
     * kept, or one of another size (the desktop changed size).
     */
    static void give(int[] buffer) {
        synchronized (FREE) {
            for (int[] b : FREE) {
                if (b == buffer) {
                    throw new IllegalStateException("a screen buffer given back twice");
                }
            }
            FREE.removeIf(b -> b.length != buffer.length);
            FREE.addFirst(buffer);
            while (FREE.size() > KEEP) {
                FREE.removeLast();
            }
        }
    }

    /** Makes one window's buffers for screens of {@code length} pixels now, while nobody waits for a window. */
    static void prepare(int length) {
        for (int i = 0; i < KEEP; i++) {
            give(new int[length]); // the JVM zeroes it, so its pages are touched here and not at the first window
        }
    }

    /** How many buffers are kept now (for the tests). */
    static int kept() {
        synchronized (FREE) {
            return FREE.size();
        }
    }
}
