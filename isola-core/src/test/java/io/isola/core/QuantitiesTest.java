package io.isola.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantitiesTest {
    @ParameterizedTest
    @CsvSource({
        "1, 1",
        "512, 512",
        "1K, 1024",
        "1k, 1024",
        "64M, 67108864",
        "2G, 2147483648",
        "1KB, 1024",
        "1KiB, 1024",
        "3mib, 3145728",
        "10B, 10",
        "' 64M ', 67108864"
    })
    void bytesReadsPlainNumbersAndBinaryUnits(String text, long expected) {
        assertThat(Quantities.bytes(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "B", "M", "0", "0M", "-5M", "1.5G", "lots", "1T", "1 M", "99999999999999G"})
    void bytesRefusesWhatIsNotAPositiveSize(String text) {
        assertThatThrownBy(() -> Quantities.bytes(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a size: use e.g. 64M or 2G");
    }

    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S",
        "10s, PT10S",
        "10, PT10S",
        "1.5s, PT1.5S",
        "0.25, PT0.25S",
        "2m, PT2M",
        "1h, PT1H",
        "2H, PT2H",
        "' 3m ', PT3M",
        "1000MS, PT1S"
    })
    void durationReadsHoursMinutesSecondsAndMillis(String text, String expected) {
        assertThat(Quantities.duration(text)).isEqualTo(Duration.parse(expected));
    }

    // Compound durations as Go, Docker and kubectl write them: one token, largest unit first, each unit once.
    @ParameterizedTest
    @CsvSource({
        "1h30m, PT1H30M",
        "2m30s, PT2M30S",
        "1h30m15s, PT1H30M15S",
        "1h0m, PT1H",
        "0h5m, PT5M",
        "1m500ms, PT1M0.5S",
        "2m1.5s, PT2M1.5S",
        "1s250ms, PT1.25S",
        "1.5s30ms, PT1.53S",
        "1H30M, PT1H30M",
        "' 1h30m ', PT1H30M",
        "90m, PT1H30M",
        "1h90m, PT2H30M"
    })
    void durationReadsCompoundDurations(String text, String expected) {
        assertThat(Quantities.duration(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "s",
                "ms",
                "0",
                "0s",
                "0ms",
                "-1s",
                "-2m",
                "forever",
                "1.5m",
                "1.5h",
                "0.0001s",
                "NaN",
                "infinity",
                "10 minutes",
                "1d",
                "0h0m",
                "1h 30m",
                "30m1h",
                "1m1m",
                "1h-30m",
                "1h30",
                "h30m",
                "1h30mx",
                "1e3s",
                "1h30m 1s",
                "1h+30m",
                "1m.5s"
            })
    void durationRefusesWhatIsNotAPositiveDuration(String text) {
        assertThatThrownBy(() -> Quantities.duration(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a duration: use e.g. 500ms, 10s, 2m, 1h or 1h30m");
    }

    // Duration.ofHours/ofMinutes throw ArithmeticException on overflow; the policy file only catches
    // IllegalArgumentException, so an overflow must come out as one, not as a crash.
    @ParameterizedTest
    @ValueSource(strings = {"9999999999999999h", "999999999999999999m", "2562047788015215h30m", "2562047788016h"})
    void durationRefusesOverflowAsAnIllegalArgument(String text) {
        assertThatThrownBy(() -> Quantities.duration(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a duration");
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "' 7 ', 7", "2147483647, 2147483647"})
    void countReadsPositiveWholeNumbers(String text, int expected) {
        assertThat(Quantities.count(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "1.5", "2147483648", "", "ten"})
    void countRefusesAnythingElse(String text) {
        assertThatThrownBy(() -> Quantities.count(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a positive whole number");
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "0.5, 0.5", "2, 2", "' 1.25 ', 1.25"})
    void decimalReadsNonNegativeNumbers(String text, double expected) {
        assertThat(Quantities.decimal(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-0.5", "NaN", "Infinity", "-Infinity", "half", ""})
    void decimalRefusesNegativeAndNonFiniteNumbers(String text) {
        assertThatThrownBy(() -> Quantities.decimal(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a number: use e.g. 0.5 or 2");
    }

    @Test
    void messagesCompleteTheOptionNameTheyFollow() {
        // "--memory" + message must read as a sentence: the message starts with the quoted value
        assertThatThrownBy(() -> Quantities.bytes("x")).hasMessageStartingWith("'x' is not");
    }
}
