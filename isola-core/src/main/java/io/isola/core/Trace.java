package io.isola.core;

/**
 * Start-up and cell phases with their times, printed to stderr at exit when {@code ISOLA_TRACE=1}. For
 * performance work: free when off, and cheap when on (no formatting until the end).
 */
public final class Trace {
    private static final boolean ON = System.getenv("ISOLA_TRACE") != null;
    private static final long T0 = System.nanoTime();
    private static final int MAX = 256;
    private static final String[] WHAT = new String[MAX];
    private static final String[] WHERE = new String[MAX];
    private static final long[] WHEN = new long[MAX];
    private static int count;

    private Trace() {}

    public static void mark(String what) {
        if (ON) {
            long now = System.nanoTime();
            synchronized (WHEN) {
                if (count < MAX) {
                    WHAT[count] = what;
                    WHERE[count] = Thread.currentThread().getName();
                    WHEN[count++] = now;
                }
            }
        }
    }

    /** Prints the marks, in ms since this class was loaded (early in main). */
    public static void print() {
        if (ON) {
            synchronized (WHEN) {
                for (int i = 0; i < count; i++) {
                    System.err.printf("isola-trace %7.2f ms  %-28s [%s]%n", (WHEN[i] - T0) / 1e6, WHAT[i], WHERE[i]);
                }
            }
        }
    }
}
