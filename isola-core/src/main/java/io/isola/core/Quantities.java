package io.isola.core;

import java.time.Duration;
import java.util.Locale;

/**
 * Human sizes (512M, 2G), durations (500ms, 10s, 2m) and numbers, as the command line and the policy file write
 * them. Each parser throws {@link IllegalArgumentException} whose message completes "OPTION ..." or "key ...".
 */
public final class Quantities {
    private Quantities() {}

    public static long bytes(String s) {
        String v = s.trim().toUpperCase(Locale.ROOT).replaceAll("I?B$", "");
        long unit = switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        try {
            long n = Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1));
            if (n > 0) {
                return Math.multiplyExact(n, unit);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + s + "' is not a size: use e.g. 64M or 2G");
    }

    public static Duration duration(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            } else {
                String secs = v.endsWith("s") ? v.substring(0, v.length() - 1) : v;
                if (!secs.matches("[0-9]+(\\.[0-9]+)?")) {
                    throw new NumberFormatException(secs); // parseDouble alone takes "1d" (a double literal) as 1s
                }
                d = Duration.ofMillis((long) (Double.parseDouble(secs) * 1000));
            }
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + s + "' is not a duration: use e.g. 500ms, 10s, 2m or 1h");
    }

    public static int count(String s) {
        try {
            int n = Integer.parseInt(s.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + s + "' is not a positive whole number");
    }

    public static double decimal(String s) {
        try {
            double d = Double.parseDouble(s.trim());
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + s + "' is not a number: use e.g. 0.5 or 2");
    }
}
