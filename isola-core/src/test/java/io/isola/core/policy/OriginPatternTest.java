package io.isola.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Matching uses the host {@link URI} really parses, so look-alike URLs do not pass as the trusted host. */
class OriginPatternTest {
    private static final OriginPattern INTRANET = OriginPattern.parse("https://intranet.example.com/*");
    private static final OriginPattern DOCS = OriginPattern.parse("https://intranet.example.com/docs/*");
    private static final OriginPattern HOST = OriginPattern.parse("intranet.example.com");
    private static final OriginPattern SUBS = OriginPattern.parse("*.example.com");

    @ParameterizedTest
    @ValueSource(strings = {
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
    @ValueSource(strings = {"https://intranet.example.com/", "https://INTRANET.Example.COM/a",
        "https://intranet.example.com./a", "https://intranet.example.com", "HTTPS://intranet.example.com/x",
        "https://intranet.example.com:8443/x", "https://user@intranet.example.com/x"})
    void theRealHostMatchesWhateverItsCaseTrailingDotOrPort(String url) {
        assertThat(INTRANET.matches(URI.create(url))).as(url).isTrue();
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
        assertThat(HOST.matches(URI.create("file://intranet.example.com/etc/passwd"))).isFalse();
    }

    @Test
    void urlsWithoutHostOrSchemeNeverMatch() {
        assertThat(HOST.matches(null)).isFalse();
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
    @ValueSource(strings = {"https://intranet.example.com/docs", "https://intranet.example.com/docsevil/x",
        "https://intranet.example.com/", "https://intranet.example.com/admin/docs/x",
        "https://intranet.example.com/DOCS/x"})
    void pathPatternStopsAtItsBoundary(String url) {
        assertThat(DOCS.matches(URI.create(url))).as(url).isFalse();
    }

    // A browser resolves dot segments (also percent-encoded ones) before it asks the server, so these fetch
    // /admin, not a page under /docs/.
    @ParameterizedTest
    @ValueSource(strings = {"https://intranet.example.com/docs/../admin", "https://intranet.example.com/docs/%2e%2e/admin",
        "https://intranet.example.com/docs/.%2E/admin", "https://intranet.example.com/docs/./../admin"})
    void dotSegmentsCannotClimbOutOfAPathPattern(String url) {
        assertThat(DOCS.matches(URI.create(url))).as(url).isFalse();
    }

    @Test
    void dotSegmentsThatStayInsideStillMatch() {
        assertThat(DOCS.matches(URI.create("https://intranet.example.com/docs/a/../b.pdf"))).isTrue();
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
    @ValueSource(strings = {"*", "*.com", "*.", "http*", "ftp://x", "file:///etc", "https://", "", "a*b.com",
        "*.*.example.com", "user@example.com", "exa mple.com", "https://ex_ample.com/"})
    void nonsenseOriginsAreRefused(String text) {
        assertThatThrownBy(() -> OriginPattern.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("origin '" + text + "'");
    }
}
