package io.isola.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

class ClientHelloTest {
    /** The first flight of a real TLS client (the JDK's), asking for {@code sni} (none when null). */
    static byte[] clientHello(String sni) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine(sni == null ? null : sni, 443);
        engine.setUseClientMode(true);
        if (sni != null) {
            var p = engine.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(sni)));
            engine.setSSLParameters(p);
        }
        ByteBuffer out = ByteBuffer.allocate(64 * 1024);
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    @Test
    void readsTheServerNameOfARealClientHello() throws Exception {
        byte[] records = clientHello("www.example.com");
        byte[] hello = ClientHello.handshake(records, records.length);
        assertThat(ClientHello.serverName(hello)).isEqualTo("www.example.com");
        assertThat(ClientHello.handshake(records, records.length - 1)).isNull(); // not all there yet
        assertThat(ClientHello.handshake(records, 3)).isNull();
    }

    @Test
    void readsAClientHelloSplitOverRecords() throws Exception {
        byte[] one = clientHello("split.example.com");
        int len = ((one[3] & 0xff) << 8) | (one[4] & 0xff);
        int half = len / 2;
        ByteBuffer two = ByteBuffer.allocate(one.length + 5);
        two.put(new byte[] {22, 3, 1, (byte) (half >> 8), (byte) half}).put(one, 5, half);
        two.put(new byte[] {22, 3, 1, (byte) ((len - half) >> 8), (byte) (len - half)})
                .put(one, 5 + half, len - half);
        byte[] hello = ClientHello.handshake(two.array(), two.position());
        assertThat(ClientHello.serverName(hello)).isEqualTo("split.example.com");
    }

    @Test
    void refusesWhatIsNotTls() {
        byte[] http = "GET / HTTP/1.1\r\n\r\n".getBytes();
        assertThatThrownBy(() -> ClientHello.handshake(http, http.length)).isInstanceOf(Target.Refused.class);
        byte[] huge = {22, 3, 1, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> ClientHello.handshake(huge, huge.length)).isInstanceOf(Target.Refused.class);
        byte[] notHello = {22, 3, 1, 0, 4, 2, 0, 0, 0};
        assertThatThrownBy(() -> ClientHello.handshake(notHello, notHello.length))
                .isInstanceOf(Target.Refused.class);
    }

    @Test
    void refusesATruncatedClientHello() throws Exception {
        byte[] records = clientHello("www.example.com");
        byte[] hello = ClientHello.handshake(records, records.length);
        byte[] cut = java.util.Arrays.copyOf(hello, 60);
        assertThatThrownBy(() -> ClientHello.serverName(cut)).isInstanceOf(Target.Refused.class);
    }
}
