package io.isola.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestHeadTest {
    private static RequestHead parse(String head) {
        return RequestHead.parse(head.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void readsConnect() {
        RequestHead h = parse("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
        assertThat(h.method()).isEqualTo("CONNECT");
        assertThat(h.destination().authority()).isEqualTo("example.com:443");
        assertThat(parse("CONNECT [2001:4860::8888]:443 HTTP/1.1\r\n\r\n")
                        .destination()
                        .host())
                .isEqualTo("2001:4860:0:0:0:0:0:8888");
    }

    @Test
    void forwardsAbsoluteFormAsOriginFormWithItsOwnHostAndClose() {
        RequestHead h = parse("GET http://Example.com:8080/a/b?q=1 HTTP/1.1\r\nHost: evil.internal\r\n"
                + "Proxy-Connection: keep-alive\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n");
        String out = new String(h.forwarded(), StandardCharsets.ISO_8859_1);
        assertThat(out)
                .isEqualTo("GET /a/b?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n"
                        + "Connection: close\r\n\r\n");
        assertThat(parse("GET http://example.com HTTP/1.1\r\n\r\n").target()).isEqualTo("/");
        assertThat(parse("GET http://example.com?x HTTP/1.1\r\n\r\n").target()).isEqualTo("/?x");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "CONNECT example.com HTTP/1.1\r\n\r\n", // no port
                "CONNECT example.com:443 HTTP/1.1 extra\r\n\r\n",
                "CONNECT  example.com:443 HTTP/1.1\r\n\r\n",
                "CONNECT example.com:443 HTTP/2.0\r\n\r\n",
                "CONNECT example.com:99999 HTTP/1.1\r\n\r\n",
                "CONNECT example.com:+443 HTTP/1.1\r\n\r\n",
                "CONNECT user@example.com:443 HTTP/1.1\r\n\r\n",
                "CONNECT [::1:443 HTTP/1.1\r\n\r\n",
                "CONNECT [::1]x:443 HTTP/1.1\r\n\r\n",
                "CONNECT example.com:443 HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",
                "CONNECT example.com:443 HTTP/1.1\r\nBad Header: a\r\n\r\n",
                "CONNECT example.com:443 HTTP/1.1\r\nX: a\nY: b\r\n\r\n",
                "CONNECT example.com:443 HTTP/1.1\r\nX: a\u0000b\r\n\r\n",
                "GET /relative HTTP/1.1\r\nHost: example.com\r\n\r\n",
                "GET https://example.com/ HTTP/1.1\r\n\r\n",
                "GET http://user:pw@example.com/ HTTP/1.1\r\n\r\n",
                "GET http://example.com/#frag HTTP/1.1\r\n\r\n",
                "TRACE http://example.com/ HTTP/1.1\r\n\r\n",
                "GET http://2130706433/ HTTP/1.1\r\n\r\n",
                "\r\n\r\n",
            })
    void refusesMalformedRequests(String head) {
        assertThatThrownBy(() -> parse(head)).isInstanceOf(Target.Refused.class);
    }

    @Test
    void refusesTooManyHeaders() {
        String head = "CONNECT example.com:443 HTTP/1.1\r\n" + "X: y\r\n".repeat(101) + "\r\n";
        assertThatThrownBy(() -> parse(head)).isInstanceOf(Target.Refused.class).hasMessageContaining("100 headers");
    }

    @Test
    void findsTheEndOfTheHead() {
        byte[] b = "CONNECT a.com:443 HTTP/1.1\r\n\r\nrest".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(RequestHead.headLength(b, b.length)).isEqualTo(b.length - 4);
        assertThat(RequestHead.headLength(b, 20)).isEqualTo(-1);
    }
}
