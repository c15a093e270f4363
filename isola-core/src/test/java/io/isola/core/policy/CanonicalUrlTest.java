package io.isola.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The URL a server would read: what {@link OriginPattern} matches against, and what the network will reuse. */
class CanonicalUrlTest {
    @Test
    void hostPortAndPathAreWhatTheServerReads() {
        assertThat(CanonicalUrl.of(URI.create("HTTPS://Bücher.Example./a/%62/../c%20d")))
                .isEqualTo(new CanonicalUrl("https", "xn--bcher-kva.example", 443, "/a/c d"));
        assertThat(CanonicalUrl.of(URI.create("http://h.example:8080")))
                .isEqualTo(new CanonicalUrl("http", "h.example", 8080, "/"));
        assertThat(CanonicalUrl.of(URI.create("https://[::1]:8443/x")).host()).isEqualTo("[::1]");
    }

    // RFC 3986 5.4's examples, as absolute paths
    @ParameterizedTest
    @CsvSource({
        "/a/b/c/./../../g,/a/g",
        "/a/b/c/.,/a/b/c/",
        "/a/b/c/..,/a/b/",
        "/../g,/g",
        "/./g,/g",
        "/g.,/g.",
        "/.g,/.g",
        "/g..,/g..",
        "/..g,/..g",
        "/a/./b/../c/./d.html,/a/c/d.html",
        "/a/..,/"
    })
    void removeDotSegmentsFollowsTheRfc(String in, String out) {
        assertThat(CanonicalUrl.removeDotSegments(in)).isEqualTo(out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            https://h.example/a%2fb          | encoded separator
            https://h.example/a%5Cb          | encoded separator
            https://h.example/%252e%252e/    | second layer of encoding
            https://h.example/..;/admin      | dot segment with parameters
            https://h.example/a//b           | empty segment
            https://h.example/%0a            | control character
            https://h.example/%c3            | not UTF-8
            https://h.example:99999/         | a port is a number from 1 to 65535
            https://h.example:0/             | a port is a number from 1 to 65535
            https://u@h.example/             | credentials
            ftp://h.example/                 | not an http or https URL
            """)
    void urlsServersCouldReadDifferentlyAreRefusedWithTheReason(String url, String why) {
        assertThatThrownBy(() -> CanonicalUrl.of(URI.create(url)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(why);
    }
}
