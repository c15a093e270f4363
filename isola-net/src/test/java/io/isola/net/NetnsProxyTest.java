package io.isola.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.core.audit.AuditEvent;
import io.isola.core.policy.NetworkAccess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The proxy between a cell's connections (real sockets on loopback, as engines deliver them) and test hosts in a
 * network namespace this test makes. curl is the client. Nothing is sent anywhere but loopback and that namespace:
 * every name resolves through the test's own DNS server on loopback.
 */
@Tag("kernel")
class NetnsProxyTest {
    static TestNetwork net;
    static FakeDns dns;
    static NsHttpServer internet, intranet, highValue, tls;
    private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void hosts() throws Exception {
        net = TestNetwork.create();
        assumeTrue(net != null, "needs root and ip netns");
        internet = new NsHttpServer(net.listen(net.internet, 80), "internet", false);
        tls = new NsHttpServer(net.listen(net.internet, 443), "tls", true);
        intranet = new NsHttpServer(net.listen(net.intranet, 80), "intranet", false);
        highValue = new NsHttpServer(net.listen(net.highValue, 80), "high-value", false);
        dns = new FakeDns()
                .name("www.test.example", net.internet)
                .name("intra.corp.test.example", net.intranet)
                .name("sneaky.test.example", net.intranet)
                .name("hv.test.example", net.highValue)
                .name("loop.test.example", "127.0.0.1")
                .name("self.test.example", net.internetHost);
    }

    @AfterAll
    static void removeHosts() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {internet, intranet, highValue, tls, dns, net}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @AfterEach
    void closeProxies() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private CellPort cell(NetworkAccess level, String vpn) throws IOException {
        return cell(level, vpn, new LinuxHostFacts());
    }

    private CellPort cell(NetworkAccess level, String vpn, HostFacts facts) throws IOException {
        var rules = Rules.of("""
                [network]
                intranet = ["10.77.0.0/16", "*.corp.test.example"]
                high-value = ["hv.test.example"]
                vpn-interfaces = [%s]
                trusted-networks = ["198.51.100.0/24"]
                treat-as-public = ["198.51.100.0/24", "203.0.113.0/24"]
                """.formatted(vpn));
        EgressProxy proxy = new EgressProxy(rules, dns.resolver(), facts, audit::add, EgressProxy.Settings.DEFAULT);
        CellPort port = new CellPort(proxy.forLevel(level), "c0ffee");
        open.add(port);
        open.add(proxy);
        return port;
    }

    /** curl through the proxy: the HTTP status (000 when the connection failed) and the body. */
    static String[] curl(CellPort port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of("curl", "-sS", "--max-time", "10", "--proxy", port.proxyUrl(), "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().keySet().removeIf(k -> k.toLowerCase().contains("proxy"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        int nl = out.lastIndexOf('\n');
        return new String[] {
            out.substring(nl + 1), out.substring(0, Math.max(nl, 0)).strip()
        };
    }

    private List<AuditEvent> events(String type) throws InterruptedException {
        Thread.sleep(50);
        return audit.stream().filter(e -> e.type().equals(type)).toList();
    }

    @Test
    void anInternetCellFetchesFromAnInternetHostByNameAndTheDecisionIsAudited() throws Exception {
        CellPort cell = cell(NetworkAccess.INTERNET, "");
        String[] r = curl(cell, "http://www.test.example/");
        assertThat(r[0]).isEqualTo("200");
        assertThat(r[1]).isEqualTo("hello from internet");
        assertThat(internet.requests.getLast())
                .startsWith("GET / HTTP/1.1\r\nHost: www.test.example\r\n")
                .contains("Connection: close\r\n")
                .doesNotContainIgnoringCase("proxy-connection");
        AuditEvent e = events("connection.allowed").getLast();
        assertThat(e.cell()).isEqualTo("c0ffee");
        assertThat(e.fields())
                .containsEntry("name", "www.test.example")
                .containsEntry("address", net.internet)
                .containsEntry("port", 80)
                .containsEntry("rule", "public (treat-as-public)")
                .containsEntry("level", "internet");
    }

    @Test
    void anInternetCellReachesNoIntranetHostWhateverNameOrAddressLeadsThere() throws Exception {
        CellPort cell = cell(NetworkAccess.INTERNET, "");
        int before = intranet.connections.get();
        for (String url : new String[] {
            "http://sneaky.test.example/",
            "http://intra.corp.test.example/",
            "http://" + net.intranet + "/",
            "http://[::ffff:" + net.intranet + "]/",
            "http://loop.test.example/",
            "http://self.test.example/",
            "http://" + net.internetHost + "/"
        }) {
            assertThat(curl(cell, url)[0]).as(url).isEqualTo("403");
        }
        assertThat(intranet.connections.get()).isEqualTo(before);
        assertThat(events("connection.blocked"))
                .hasSize(7)
                .allSatisfy(e -> assertThat(e.fields()).containsKey("rule"));
        assertThat(events("connection.blocked").get(5).fields()).containsEntry("rule", "this host's own address");
    }

    @Test
    void aRedirectFromAPublicSiteToAnIntranetOneIsRefused() throws Exception {
        CellPort cell = cell(NetworkAccess.INTERNET, "");
        int before = intranet.connections.get();
        String[] r = curl(cell, "-L", "http://www.test.example/redirect?http://" + net.intranet + "/secret");
        assertThat(r[0]).isEqualTo("403");
        assertThat(intranet.connections.get()).isEqualTo(before);
        assertThat(events("connection.allowed")).hasSize(1);
        assertThat(events("connection.blocked")).hasSize(1);
    }

    @Test
    void aNameWhoseAnswerChangesIsDecidedOnTheAnswerTheProxyConnectsTo() throws Exception {
        dns.changing("rebind.test.example", k -> List.of(FakeDns.address(k == 0 ? net.internet : net.intranet)));
        CellPort cell = cell(NetworkAccess.INTERNET, "");
        int before = intranet.connections.get();
        assertThat(curl(cell, "http://rebind.test.example/")[0]).isEqualTo("200");
        assertThat(curl(cell, "http://rebind.test.example/")[0]).isEqualTo("403");
        assertThat(intranet.connections.get()).isEqualTo(before);
    }

    @Test
    void aTrustedCellAlsoReachesTheIntranet() throws Exception {
        CellPort cell = cell(NetworkAccess.TRUSTED, "");
        assertThat(curl(cell, "http://intra.corp.test.example/")).containsExactly("200", "hello from intranet");
        assertThat(curl(cell, "http://www.test.example/")[0]).isEqualTo("200");
    }

    @Test
    void highValueIsReachedOnlyByATrustedCellAndOnlyOverAVpnInterface() throws Exception {
        int before = highValue.connections.get();
        assertThat(curl(cell(NetworkAccess.TRUSTED, "\"wgt*\""), "http://hv.test.example/"))
                .containsExactly("200", "hello from high-value");
        assertThat(events("connection.allowed").getLast().fields().get("rule").toString())
                .isEqualTo("high-value destination hv.test.example over VPN interface " + net.vpnIf);
        assertThat(curl(cell(NetworkAccess.TRUSTED, "\"tun*\""), "http://hv.test.example/")[0])
                .isEqualTo("403");
        assertThat(events("connection.blocked").getLast().fields().get("rule").toString())
                .contains("needs a trusted network or a VPN")
                .contains(net.vpnIf);
        assertThat(curl(cell(NetworkAccess.INTERNET, "\"wgt*\""), "http://hv.test.example/")[0])
                .isEqualTo("403");
        assertThat(highValue.connections.get()).isEqualTo(before + 1);
    }

    @Test
    void aTrustedCellReachesHighValueFromATrustedNetwork(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // the host's default route as the kernel would list it: through the test's veth, gateway in 198.51.100.0/24
        byte[] gw = InetAddress.ofLiteral(net.internet).getAddress();
        String le = String.format("%02X%02X%02X%02X", gw[3], gw[2], gw[1], gw[0]);
        java.nio.file.Path route = java.nio.file.Files.writeString(
                dir.resolve("route"),
                "Iface\tDestination\tGateway"
                        + "\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n" + net.lanIf + "\t00000000\t" + le
                        + "\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
        CellPort office = cell(NetworkAccess.TRUSTED, "", new LinuxHostFacts(route));
        assertThat(curl(office, "http://hv.test.example/")).containsExactly("200", "hello from high-value");
        assertThat(events("connection.allowed").getLast().fields().get("rule"))
                .isEqualTo("high-value destination hv.test.example from a trusted network");
        CellPort away = cell(NetworkAccess.TRUSTED, "", new LinuxHostFacts(dir.resolve("no-route")));
        assertThat(curl(away, "http://hv.test.example/")[0]).isEqualTo("403");
    }

    @Test
    void tlsGoesThroughEndToEndAndAServerNameOtherThanTheConnectHostIsRefused() throws Exception {
        CellPort cell = cell(NetworkAccess.INTERNET, "");
        int before = tls.tlsHellos.size();
        curl(cell, "-k", "https://www.test.example/"); // the TLS host records the ClientHello and hangs up
        for (int i = 0; i < 100 && tls.tlsHellos.size() == before; i++) {
            Thread.sleep(10);
        }
        assertThat(tls.tlsHellos).hasSize(before + 1);
        assertThat(ClientHello.serverName(
                        ClientHello.handshake(tls.tlsHellos.getLast(), tls.tlsHellos.getLast().length)))
                .isEqualTo("www.test.example");

        try (Socket s = new Socket("127.0.0.1", cell.port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("CONNECT www.test.example:443 HTTP/1.1\r\n\r\n".getBytes());
            byte[] ok = new byte[39];
            s.getInputStream().readNBytes(ok, 0, ok.length);
            assertThat(new String(ok)).startsWith("HTTP/1.1 200");
            s.getOutputStream().write(ClientHelloTest.clientHello("intra.corp.test.example"));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        Thread.sleep(100);
        assertThat(tls.tlsHellos).hasSize(before + 1);
        assertThat(events("connection.blocked").getLast().fields()).containsEntry("rule", "sni-mismatch");
    }

    @Test
    void theDnsServerUsedIsOnlyTheOneGiven() throws Exception {
        assertThat(dns.resolver().resolve("www.test.example")).containsExactly(InetAddress.ofLiteral(net.internet));
    }
}
