package io.isola.core;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human sizes (512M, 2G), durations (500ms, 10s, 2m, 1h30m) and numbers, as the command line and the policy file write
 * them. Each parser throws {@link IllegalArgumentException} whose message completes "OPTION ..." or "key ...".
 */
public final class Quantities {
    private Quantities() {}

    /** {@code bytes} as the options write it: 64M, 2G, 1536K, or plain bytes. */
    public static String human(long bytes) {
        for (String unit : new String[] {"G", "M", "K"}) {
            long size = 1L << (unit.equals("G") ? 30 : unit.equals("M") ? 20 : 10);
            if (bytes % size == 0) {
                return bytes / size + unit;
            }
        }
        return Long.toString(bytes);
    }

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

    /**
     * A positive duration: a bare number of seconds ({@code 10}, {@code 1.5}), or one or more parts written together
     * with the largest unit first and each unit at most once, as Go, Docker and kubectl write them: {@code 500ms},
     * {@code 10s}, {@code 2m}, {@code 1h}, {@code 1h30m}, {@code 2m30s}, {@code 1m1.5s}. Only seconds may have a
     * fraction (to the millisecond). No spaces inside: {@code "1h 30m"} is refused, so that a value is one shell word.
     */
    public static Duration duration(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d = BARE_SECONDS.matcher(v).matches() ? seconds(v) : compound(v);
            if (d != null && !d.isNegative() && !d.isZero()) {
                d.toMillis(); // the cells' timers count in milliseconds: a longer duration is refused here, not there
                return d;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + s + "' is not a duration: use e.g. 500ms, 10s, 2m, 1h or 1h30m");
    }

    private static final Pattern BARE_SECONDS = Pattern.compile("[0-9]+(\\.[0-9]+)?");
    /** One part: a number and its unit; "ms" is tried before "m". */
    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|h|m|s)");

    private static final List<String> UNITS = List.of("h", "m", "s", "ms");

    /** The parts in order, or null when {@code v} is not a sequence of them. */
    private static Duration compound(String v) {
        Matcher m = PART.matcher(v);
        Duration total = Duration.ZERO;
        int at = 0, lastUnit = -1;
        while (at < v.length()) {
            if (!m.region(at, v.length()).lookingAt()) {
                return null;
            }
            String number = m.group(1), unit = m.group(2);
            int rank = UNITS.indexOf(unit);
            if (rank <= lastUnit || (number.contains(".") && !unit.equals("s"))) {
                return null; // out of order, repeated, or a fraction of a unit other than seconds
            }
            total = total.plus(
                    switch (unit) {
                        case "h" -> Duration.ofHours(Long.parseLong(number));
                        case "m" -> Duration.ofMinutes(Long.parseLong(number));
                        case "ms" -> Duration.ofMillis(Long.parseLong(number));
                        default -> seconds(number);
                    });
            lastUnit = rank;
            at = m.end();
        }
        return at == 0 ? null : total;
    }

    /** Whole seconds with an optional fraction, kept to the millisecond (exactly, not through a double). */
    private static Duration seconds(String number) {
        int dot = number.indexOf('.');
        if (dot < 0) {
            return Duration.ofSeconds(Long.parseLong(number));
        }
        String millis = (number.substring(dot + 1) + "00").substring(0, 3);
        return Duration.ofSeconds(Long.parseLong(number.substring(0, dot))).plusMillis(Integer.parseInt(millis));
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
