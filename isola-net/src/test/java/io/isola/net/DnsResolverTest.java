package io.isola.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The proxy's DNS client against DNS servers of the test's own, on loopback. */
class DnsResolverTest {
    @Test
    void asksTheGivenServerForIpv4AndIpv6Addresses() throws Exception {
        try (FakeDns dns = new FakeDns().name("dual.test.example", "198.51.100.7", "2001:db8::7")) {
            assertThat(dns.resolver().resolve("dual.test.example"))
                    .containsExactly(InetAddress.ofLiteral("198.51.100.7"), InetAddress.ofLiteral("2001:db8::7"));
            assertThat(dns.questions.get()).isEqualTo(2);
        }
    }

    @Test
    void anUnknownNameHasNoAddress() throws Exception {
        try (FakeDns dns = new FakeDns()) {
            assertThatThrownBy(() -> dns.resolver().resolve("nosuch.test.example"))
                    .isInstanceOf(UnknownHostException.class);
        }
    }

    @Test
    void ignoresAnswersToOtherQuestionsAndGivesUpOnASilentServer() throws Exception {
        try (DatagramChannel junk = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            Thread replier = Thread.ofVirtual().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(512);
                try {
                    while (true) {
                        b.clear();
                        var from = junk.receive(b);
                        b.flip();
                        b.put(0, (byte) (b.get(0) ^ 0x55)); // another id: a spoofer's guess
                        b.put(2, (byte) 0x81);
                        junk.send(b, from);
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            var resolver = new DnsResolver(List.of((InetSocketAddress) junk.getLocalAddress()), Duration.ofMillis(300));
            long t = System.nanoTime();
            assertThatThrownBy(() -> resolver.resolve("x.test.example"))
                    .isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("no answer");
            assertThat((System.nanoTime() - t) / 1_000_000).isBetween(250L, 2_000L);
            replier.interrupt();
        }
    }

    @Test
    void readsServersFromIsolaDnsOnly() throws Exception {
        var r = DnsResolver.fromEnvironment(Map.of("ISOLA_DNS", "127.0.0.1:5353, [::1]:53, 127.0.0.2"));
        assertThat(r).isNotNull();
        assertThat(DnsResolver.server("127.0.0.1:5353")).isEqualTo(new InetSocketAddress("127.0.0.1", 5353));
        assertThat(DnsResolver.server("[::1]")).isEqualTo(new InetSocketAddress("::1", 53));
        assertThatThrownBy(() -> DnsResolver.server("dns.example.com")).isInstanceOf(IllegalArgumentException.class);
    }
}
