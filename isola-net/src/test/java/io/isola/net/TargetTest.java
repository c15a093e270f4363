package io.isola.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "2130706433",
                "0x7f.1",
                "0x7f000001",
                "017700000001",
                "0177.0.0.1",
                "127.1",
                "127.0.1",
                "127.000.000.001",
                "1.2.3.04",
                "256.1.1.1",
                "1.2.3.4.5",
                "0x7F.0.0.1",
                "example.123",
                "10.0.0.1.",
                "4294967297"
            })
    void refusesNumericFormsThatCLibrariesReadAsAddresses(String host) {
        assertThatThrownBy(() -> Target.of(host, 443))
                .isInstanceOf(Target.Refused.class)
                .extracting(e -> ((Target.Refused) e).rule())
                .isIn("numeric-host", "bad-name");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "exa mple.com",
                "a..b",
                "[::1",
                "[fe80::1%eth0]",
                "[1.2.3.4]",
                "ex_ample.com",
                "example.com:443",
                "host/../x",
                "a%2eb.com",
                "\u0000.com"
            })
    void refusesWhatIsNotAHostName(String host) {
        assertThatThrownBy(() -> Target.of(host, 443)).isInstanceOf(Target.Refused.class);
    }

    @ParameterizedTest
    @CsvSource({
        "Example.COM., example.com",
        "bücher.example, xn--bcher-kva.example",
        "[::1], 0:0:0:0:0:0:0:1",
        "[::ffff:127.0.0.1], 127.0.0.1",
        "0.0.0.0, 0.0.0.0",
        "198.51.100.7, 198.51.100.7",
        "localhost, localhost"
    })
    void readsNamesAndCanonicalLiterals(String host, String canonical) {
        assertThat(Target.of(host, 443).host()).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536})
    void refusesPortsThatCannotBe(int port) {
        assertThatThrownBy(() -> Target.of("example.com", port)).isInstanceOf(Target.Refused.class);
    }

    @org.junit.jupiter.api.Test
    void refusesNamesLongerThanDnsCarries() {
        assertThatThrownBy(() -> Target.of("a.".repeat(200) + "com", 443)).isInstanceOf(Target.Refused.class);
        assertThatThrownBy(() -> Target.of("a".repeat(64) + ".com", 443)).isInstanceOf(Target.Refused.class);
    }
}
