package io.isola.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.audit.AuditEvent;
import io.isola.core.policy.NetworkAccess;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proxy under hostile input, with real sockets: everything here is refused, so nothing leaves loopback (the only
 * server is the test's fake DNS on 127.0.0.1).
 */
class EgressProxyTest {
    private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private FakeDns dns;

    private CellPort cell(String id, EgressProxy.Settings settings) throws IOException {
        dns = dns == null ? new FakeDns() : dns;
        dns.name("loop.test.example", "127.0.0.1")
                .name("meta.test.example", "169.254.169.254")
                .name("private.test.example", "10.9.8.7")
                .name("mixed.test.example", "198.51.100.9", "192.168.0.1");
        EgressProxy proxy = new EgressProxy(
                Rules.of("[network]\ntreat-as-public = [\"198.51.100.0/24\"]"),
                dns.resolver(),
                new LinuxHostFacts(),
                audit::add,
                settings);
        CellPort port = new CellPort(proxy.forLevel(NetworkAccess.INTERNET), id);
        open.add(port);
        open.add(proxy);
        return port;
    }

    private CellPort cell(String id) throws IOException {
        return cell(id, EgressProxy.Settings.DEFAULT);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    /** Sends {@code request} and returns what the proxy answers, up to its close. */
    static String exchange(CellPort port, byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static String exchange(CellPort port, String request) throws IOException {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    private AuditEvent lastBlocked() throws InterruptedException {
        for (int i = 0; i < 200 && audit.stream().noneMatch(e -> e.type().equals("connection.blocked")); i++) {
            Thread.sleep(10);
        }
        return audit.stream()
                .filter(e -> e.type().equals("connection.blocked"))
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2130706433:443",
                "0x7f.1:443",
                "017700000001:443",
                "0177.0.0.1:443",
                "127.1:80",
                "[::1]:443",
                "0.0.0.0:443",
                "127.0.0.1:80",
                "[::ffff:127.0.0.1]:443",
                "169.254.169.254:80",
                "[::ffff:a9fe:a9fe]:80",
                "10.0.0.1:443",
                "192.168.1.1:443",
                "100.64.0.1:443",
                "[fd00::1]:443",
                "[fe80::1]:443",
                "224.0.0.1:443",
                "loop.test.example:443",
                "meta.test.example:80",
                "private.test.example:443",
                "mixed.test.example:443",
                "198.51.100.9:22",
                "nosuch.test.example:443"
            })
    void refusesEveryWayToASpecialAddress(String authority) throws Exception {
        CellPort port = cell("c1");
        String answer = exchange(port, "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
        assertThat(answer).matches("HTTP/1.1 (403|400|502) [^\r]*\r\n(?s).*");
        AuditEvent e = lastBlocked();
        assertThat(e.cell()).isEqualTo("c1");
        assertThat(e.fields()).containsKeys("rule", "level");
        assertThat(exchange(port, "GET http://" + authority + "/ HTTP/1.1\r\n\r\n"))
                .matches("HTTP/1.1 (403|400|502) [^\r]*\r\n(?s).*");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "CONNECT\r\n\r\n",
                "CONNECT a.com HTTP/1.1\r\n\r\n",
                "HELLO\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                "CONNECT a.com:443 HTTP/1.1\r\n folded\r\n\r\n",
                "\u0016\u0003\u0001\u0000\u0005hello\r\n\r\n"
            })
    void answersMalformedRequestsWith400(String request) throws Exception {
        CellPort port = cell("c1");
        assertThat(exchange(port, request)).startsWith("HTTP/1.1 400 ");
        assertThat(lastBlocked().fields().get("rule")).isEqualTo("bad-request");
    }

    @Test
    void refusesAHugeRequestHeadAnd431s() throws Exception {
        CellPort port = cell("c1");
        String huge = "CONNECT a.example.com:443 HTTP/1.1\r\nX: " + "a".repeat(40_000) + "\r\n\r\n";
        String answer;
        try {
            answer = exchange(port, huge);
        } catch (java.net.SocketException reset) {
            answer = "HTTP/1.1 431 (reset while sending)";
        }
        assertThat(answer).startsWith("HTTP/1.1 431");
        assertThat(lastBlocked().fields().get("rule")).isEqualTo("too-large");
        String longLine = "CONNECT " + "a".repeat(40_000) + ".com:443 HTTP/1.1\r\n\r\n";
        try {
            assertThat(exchange(port, longLine)).startsWith("HTTP/1.1 431");
        } catch (java.net.SocketException reset) {
            // the proxy answered and closed while the rest was still being sent: refused all the same
        }
    }

    @Test
    void closesASlowSenderAtItsDeadlineAndAuditsIt() throws Exception {
        var settings = new EgressProxy.Settings(8, 100, Duration.ofMillis(300), Duration.ofSeconds(1));
        CellPort port = cell("slow", settings);
        long start = System.nanoTime();
        try (Socket s = new Socket("127.0.0.1", port.port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("CONNECT a.exam".getBytes());
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 3_000L);
        assertThat(lastBlocked().fields().get("rule")).isEqualTo("slow-request");
    }

    @Test
    void oneCellsFloodHitsItsCapAndLeavesOtherCellsServed() throws Exception {
        var settings = new EgressProxy.Settings(50, 10_000, Duration.ofSeconds(20), Duration.ofSeconds(1));
        dns = new FakeDns();
        EgressProxy proxy = new EgressProxy(Rules.of(""), dns.resolver(), new LinuxHostFacts(), audit::add, settings);
        open.add(proxy);
        CellPort flood = new CellPort(proxy.forLevel(NetworkAccess.INTERNET), "flood");
        CellPort other = new CellPort(proxy.forLevel(NetworkAccess.INTERNET), "other");
        open.add(flood);
        open.add(other);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 2000; i++) {
                Socket s = new Socket("127.0.0.1", flood.port());
                s.getOutputStream().write("CONNECT a".getBytes()); // then nothing: each holds a slot
                sockets.add(s);
            }
            for (int i = 0; i < 100 && proxy.open("flood") < 50; i++) {
                Thread.sleep(10);
            }
            assertThat(proxy.open("flood")).isEqualTo(50);
            long t = System.nanoTime();
            assertThat(exchange(other, "CONNECT 127.0.0.1:443 HTTP/1.1\r\n\r\n"))
                    .startsWith("HTTP/1.1 403");
            assertThat((System.nanoTime() - t) / 1_000_000).isLessThan(2_000);
            // audited, but at most once a second with the count: the flood must not flood the audit log too
            List<AuditEvent> caps = audit.stream()
                    .filter(e -> e.cell().equals("flood")
                            && String.valueOf(e.fields().get("rule")).startsWith("connection cap"))
                    .toList();
            assertThat(caps).isNotEmpty().hasSizeLessThan(30);
            assertThat(caps.getFirst().fields().get("refused")).isEqualTo(1L);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        for (int i = 0; i < 300 && proxy.open("flood") > 0; i++) {
            Thread.sleep(10);
        }
        assertThat(proxy.open("flood")).isZero();
    }
}
