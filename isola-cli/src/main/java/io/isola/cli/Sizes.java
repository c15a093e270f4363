package io.isola.cli;

import io.isola.cli.args.UsageException;
import io.isola.core.Quantities;
import java.time.Duration;
import java.util.function.Function;

/** Human sizes, durations and numbers on the command line: {@link Quantities} with the option's name in errors. */
final class Sizes {
    private Sizes() {}

    static long bytes(String option, String s) throws UsageException {
        return parse(option, s, Quantities::bytes);
    }

    static Duration duration(String option, String s) throws UsageException {
        return parse(option, s, Quantities::duration);
    }

    static int count(String option, String s) throws UsageException {
        return parse(option, s, Quantities::count);
    }

    static double decimal(String option, String s) throws UsageException {
        return parse(option, s, Quantities::decimal);
    }

    /** A parsed value checked against its floor, e.g. {@code Limits::requireMemory}. */
    static <T> T atLeast(String option, T value, Function<T, T> floor) throws UsageException {
        return parse(option, value, floor);
    }

    private static <S, T> T parse(String option, S s, Function<S, T> parser) throws UsageException {
        try {
            return parser.apply(s);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + " " + e.getMessage());
        }
    }
}
