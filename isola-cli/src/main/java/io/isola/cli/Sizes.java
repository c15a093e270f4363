package io.isola.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Human sizes (512M, 2G) and durations (500ms, 10s, 2m) on the command line. */
final class Sizes {
    private Sizes() {}

    static final class Bytes implements ITypeConverter<Long> {
        @Override
        public Long convert(String s) {
            String v = s.trim().toUpperCase(Locale.ROOT).replaceAll("I?B$", "");
            long unit = switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                default -> 1;
            };
            try {
                long n = Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1));
                if (n <= 0) {
                    throw new NumberFormatException();
                }
                return n * unit;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + s + "' is not a size: use e.g. 64M or 2G");
            }
        }
    }

    static final class Time implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String s) {
            String v = s.trim().toLowerCase(Locale.ROOT);
            try {
                Duration d;
                if (v.endsWith("ms")) {
                    d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                } else if (v.endsWith("m")) {
                    d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
                } else {
                    d = Duration.ofMillis((long) (Double.parseDouble(v.endsWith("s") ? v.substring(0, v.length() - 1) : v) * 1000));
                }
                if (d.isNegative() || d.isZero()) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + s + "' is not a duration: use e.g. 500ms, 10s or 2m");
            }
        }
    }
}
