package io.isola.cli;

import io.isola.cli.args.UsageException;
import io.isola.core.Quantities;
import java.time.Duration;

/** Human sizes, durations and numbers on the command line: {@link Quantities} with the option's name in errors. */
final class Sizes {
    private Sizes() {}

    static long bytes(String option, String s) throws UsageException {
        try {
            return Quantities.bytes(s);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + " " + e.getMessage());
        }
    }

    static Duration duration(String option, String s) throws UsageException {
        try {
            return Quantities.duration(s);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + " " + e.getMessage());
        }
    }

    static int count(String option, String s) throws UsageException {
        try {
            return Quantities.count(s);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + " " + e.getMessage());
        }
    }

    static double decimal(String option, String s) throws UsageException {
        try {
            return Quantities.decimal(s);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + " " + e.getMessage());
        }
    }
}
