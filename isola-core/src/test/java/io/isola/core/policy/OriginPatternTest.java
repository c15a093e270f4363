package io.isola.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Matching uses the host {@link URI} really parses, so look-alike URLs do not pass as the trusted host. */
class OriginPatternTest {
    private static final OriginPattern INTRANET = OriginPattern.parse("https://intranet.example.com/*");
    private static final OriginPattern DOCS = OriginPattern.parse("https://intranet.example.com/docs/*");
    private static final OriginPattern HOST = OriginPattern.parse("intranet.example.com");
    private static final OriginPattern SUBS = OriginPattern.parse("*.example.com");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://intranet.example.com@evil.com/",
                "https://intranet.example.com:443@evil.com/",
                "https://intranet.example.com.evil.com/",
                "https://evil.com/?u=https://intranet.example.com/",
                "https://evil.com/#intranet.example.com",
                "https://evil.com/intranet.example.com/",
                "https://evilintranet.example.com/",
                "https://intranet.example.co/",
            })
    void lookAlikeUrlsDoNotMatchTheTrustedHost(String url) {
        URI u = URI.create(url);
        assertThat(INTRANET.matches(u)).as(url).isFalse();
        assertThat(HOST.matches(u)).as(url).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://intranet.example.com/",
                "https://INTRANET.Example.COM/a",
                "https://intranet.example.com./a",
                "https://intranet.example.com",
                "HTTPS://intranet.example.com/x",
                "https://intranet.example.com:443/x",
                "https://intranet.example.com:/x"
            })
    void theRealHostMatchesWhateverItsCaseTrailingDotOrSpelledOutDefaultPort(String url) {
        assertThat(INTRANET.matches(URI.create(url))).as(url).isTrue();
    }

    /**
     * The attacks and their neighbours, as one table: pattern, URL, whether it matches. What a server would read as
     * another path (encoded separators, double encoding, dot segments in any spelling) never matches; neither do a
     * port other than the one the pattern names (the scheme's default when it names none), an impossible port, or
     * credentials in the URL, which only serve to make a link look like another host.
     */
    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/a.pdf                  | true
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/my%20file.pdf          | true
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/a/../b.pdf             | true
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/%61.pdf                | true
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/..%2fadmin             | false
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/..%2Fadmin             | false
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/%2E%2E%2Fadmin         | false
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/%252e%252e/admin       | false
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/%252fadmin             | false
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/..%5cadmin             | false
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/%2e%2e/admin           | false
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/%2e%2e%2f%2e%2e/admin  | false
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/..;/admin              | false
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/.;x/../../admin        | false
            https://intranet.example.com/docs/* | https://intranet.example.com/docs//../admin              | false
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/%00/a.pdf              | false
            https://intranet.example.com/docs/* | https://intranet.example.com/docs/%ff.pdf                | false
            https://intranet.example.com/docs/* | https://intranet.example.com:99999/docs/a.pdf            | false
            https://intranet.example.com/docs/* | https://intranet.example.com:65536/docs/a.pdf            | false
            https://intranet.example.com/docs/* | https://intranet.example.com:0/docs/a.pdf                | false
            https://intranet.example.com/docs/* | https://intranet.example.com:8443/docs/a.pdf             | false
            https://intranet.example.com/docs/* | https://intranet.example.com:80/docs/a.pdf               | false
            https://intranet.example.com/docs/* | https://intranet.example.com:443/docs/a.pdf              | true
            https://intranet.example.com/docs/* | https://intranet.example.com:0443/docs/a.pdf             | true
            https://intranet.example.com/docs/* | https://intranet.example.com:44x3/docs/a.pdf             | false
            https://intranet.example.com/docs/* | https://user@intranet.example.com/docs/a.pdf             | false
            https://intranet.example.com/docs/* | https://user:pw@intranet.example.com/docs/a.pdf          | false
            https://intranet.example.com/docs/* | https://@intranet.example.com/docs/a.pdf                 | false
            https://intranet.example.com/docs/* | https://intranet.example.com%40evil.com/docs/a.pdf       | false
            https://intranet.example.com/docs/* | https://INTRANET.EXAMPLE.COM/docs/a.pdf                  | true
            https://intranet.example.com/docs/* | https://intranet.example.com./docs/a.pdf                 | true
            https://intranet.example.com/docs/* | https://intranet.example.com../docs/a.pdf                | false
            https://intranet.example.com/docs/* | https://intranet.example.com.evil.com/docs/a.pdf         | false
            https://intranet.example.com:8443/* | https://intranet.example.com:8443/a                      | true
            https://intranet.example.com:8443/* | https://intranet.example.com/a                           | false
            https://intranet.example.com:8443/* | https://intranet.example.com:443/a                       | false
            https://intranet.example.com:8443/* | http://intranet.example.com:8443/a                       | false
            intranet.example.com:8080           | http://intranet.example.com:8080/                        | true
            intranet.example.com:8080           | https://intranet.example.com:8080/                       | true
            intranet.example.com:8080           | http://intranet.example.com/                             | false
            intranet.example.com                | http://intranet.example.com:80/                          | true
            intranet.example.com                | https://intranet.example.com:443/                        | true
            intranet.example.com                | http://intranet.example.com:443/                         | false
            intranet.example.com                | https://intranet.example.com:80/                         | false
            *.example.com                       | https://a.example.com:8443/                              | false
            *.example.com                       | https://A.Example.Com./x                                 | true
            bücher.example                      | https://xn--bcher-kva.example/                           | true
            bücher.example                      | https://bücher.example/ü                                 | true
            bücher.example                      | https://BÜCHER.example/                                  | true
            xn--bcher-kva.example               | https://bücher.example/                                  | true
            bücher.example                      | https://bucher.example/                                  | false
            intranet.example.com.               | https://intranet.example.com/                            | true
            https://[::1]:8443/*                | https://[::1]:8443/x                                     | true
            https://[::1]:8443/*                | https://[::1]/x                                          | false
            """)
    void table(String pattern, String url, boolean matches) {
        assertThat(OriginPattern.parse(pattern).matches(URI.create(url)))
                .as(pattern + " vs " + url)
                .isEqualTo(matches);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://intranet.example.com:99999/",
                "https://intranet.example.com:x/",
                "https://intranet.example.com:/",
                "https://intranet.example.com:0/",
                "intranet.example.com:65536",
                "https://intranet.example.com/docs/%2e%2e/*",
                "https://intranet.example.com/docs/../*",
                "https://intranet.example.com/a%2fb/*",
                "https://user@intranet.example.com/",
                "https://intra net.example.com/",
                "https://intranet.example.com/docs/*?q=1",
                "https://intranet.example.com/docs/*#x",
                "https://[::1/x"
            })
    void patternsAServerWouldReadOtherwiseOrThatNameNoRealPortAreRefused(String text) {
        assertThatThrownBy(() -> OriginPattern.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("origin '" + text + "'");
    }

    @Test
    void patternMessagesSayWhatToDo() {
        assertThatThrownBy(() -> OriginPattern.parse("https://intranet.example.com:99999/*"))
                .hasMessageContaining("a port is a number from 1 to 65535");
        assertThatThrownBy(() -> OriginPattern.parse("https://intranet.example.com/docs/%2e%2e/*"))
                .hasMessageContaining("write the path as a browser shows it");
    }

    @Test
    void httpsOnlyPatternRefusesPlainHttp() {
        assertThat(INTRANET.matches(URI.create("http://intranet.example.com/"))).isFalse();
    }

    @Test
    void patternWithoutSchemeTakesHttpAndHttpsOnly() {
        assertThat(HOST.matches(URI.create("http://intranet.example.com/"))).isTrue();
        assertThat(HOST.matches(URI.create("https://intranet.example.com/"))).isTrue();
        assertThat(HOST.matches(URI.create("ftp://intranet.example.com/"))).isFalse();
        assertThat(HOST.matches(URI.create("file://intranet.example.com/etc/passwd")))
                .isFalse();
    }

    @Test
    void urlsWithoutHostOrSchemeNeverMatch() {
        assertThat(HOST.matches((URI) null)).isFalse();
        assertThat(HOST.matches(URI.create("mailto:a@intranet.example.com"))).isFalse();
        assertThat(HOST.matches(URI.create("//intranet.example.com/x"))).isFalse();
        assertThat(HOST.matches(URI.create("/intranet.example.com"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://intranet.example.com/docs/", "https://intranet.example.com/docs/a/b.pdf"})
    void pathPatternMatchesBelowItsDirectory(String url) {
        assertThat(DOCS.matches(URI.create(url))).as(url).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://intranet.example.com/docs",
                "https://intranet.example.com/docsevil/x",
                "https://intranet.example.com/",
                "https://intranet.example.com/admin/docs/x",
                "https://intranet.example.com/DOCS/x"
            })
    void pathPatternStopsAtItsBoundary(String url) {
        assertThat(DOCS.matches(URI.create(url))).as(url).isFalse();
    }

    // A browser resolves dot segments (also percent-encoded ones) before it asks the server, so these fetch
    // /admin, not a page under /docs/.
    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://intranet.example.com/docs/../admin",
                "https://intranet.example.com/docs/%2e%2e/admin",
                "https://intranet.example.com/docs/.%2E/admin",
                "https://intranet.example.com/docs/./../admin"
            })
    void dotSegmentsCannotClimbOutOfAPathPattern(String url) {
        assertThat(DOCS.matches(URI.create(url))).as(url).isFalse();
    }

    @Test
    void dotSegmentsThatStayInsideStillMatch() {
        assertThat(DOCS.matches(URI.create("https://intranet.example.com/docs/a/../b.pdf")))
                .isTrue();
    }

    @Test
    void patternMetacharactersInThePathAreLiteral() {
        OriginPattern p = OriginPattern.parse("https://example.com/a.b/(x)+/*");
        assertThat(p.matches(URI.create("https://example.com/a.b/(x)+/f"))).isTrue();
        assertThat(p.matches(URI.create("https://example.com/aXb/(x)+/f"))).isFalse();
    }

    @Test
    void subdomainPatternMatchesSubdomainsOnly() {
        assertThat(SUBS.matches(URI.create("https://a.example.com/"))).isTrue();
        assertThat(SUBS.matches(URI.create("http://a.b.example.com/"))).isTrue();
        assertThat(SUBS.matches(URI.create("https://example.com/"))).isFalse();
        assertThat(SUBS.matches(URI.create("https://badexample.com/"))).isFalse();
        assertThat(SUBS.matches(URI.create("https://a.example.com.evil.com/"))).isFalse();
    }

    @Test
    void parseKeepsTheTextAndLowerCasesSchemeAndHost() {
        OriginPattern p = OriginPattern.parse("HTTPS://Intranet.Example.com/Docs/*");
        assertThat(p.text()).isEqualTo("HTTPS://Intranet.Example.com/Docs/*");
        assertThat(p.scheme()).isEqualTo("https");
        assertThat(p.host()).isEqualTo("intranet.example.com");
        assertThat(p.subdomains()).isFalse();
        assertThat(p.matches(URI.create("https://intranet.example.com/Docs/x"))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "*",
                "*.com",
                "*.",
                "http*",
                "ftp://x",
                "file:///etc",
                "https://",
                "",
                "a*b.com",
                "*.*.example.com",
                "user@example.com",
                "exa mple.com",
                "https://ex_ample.com/"
            })
    void nonsenseOriginsAreRefused(String text) {
        assertThatThrownBy(() -> OriginPattern.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("origin '" + text + "'");
    }
}
