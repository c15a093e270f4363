package io.isola.task;

import io.isola.core.audit.AuditEvent;
import io.isola.core.audit.AuditLog;
import io.isola.core.policy.NetworkRules;
import io.isola.core.policy.Policy;
import io.isola.core.policy.PolicyFile;
import io.isola.net.DnsResolver;
import io.isola.net.EgressProxy;
import io.isola.net.FakeDns;
import io.isola.net.LinuxHostFacts;
import io.isola.net.NsHttpServer;
import io.isola.net.ProxyOnDemand;
import io.isola.net.TestNetwork;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The hosts of the end-to-end network tests, and the real proxy in front of them: isola-net's {@link TestNetwork}
 * (an "internet" web host on 198.51.100.0/24, an intranet one on 10.77.0.0/16, in a namespace this test makes), a
 * TLS host that only records ClientHellos, and a {@link FakeDns} on loopback that the proxy asks through ISOLA_DNS,
 * as Isola does. Nothing is sent anywhere but loopback and that namespace.
 */
final class TestHosts implements AutoCloseable {
    /** The network words of every policy here: the test blocks count as public, 10.77.0.0/16 is the intranet. */
    static final String NETWORK = """
            [network]
            intranet = ["10.77.0.0/16", "*.corp.example.com"]
            treat-as-public = ["198.51.100.0/24"]
            """;

    final TestNetwork net;
    final FakeDns dns;
    final NsHttpServer internetWeb, intranetWeb, tls;
    final List<AuditEvent> events = new CopyOnWriteArrayList<>();
    final ProxyOnDemand proxy;
    final ProxyNetworks networks;

    private TestHosts(TestNetwork net, AuditLog audit) throws Exception {
        this.net = net;
        dns = new FakeDns()
                .name("www.example.com", net.internet)
                .name("intra.example.com", net.intranet)
                .name("wiki.corp.example.com", net.intranet)
                .name("meta.example.com", "169.254.169.254")
                .name("mixed.example.com", net.internet, net.intranet)
                .name("self.example.com", net.internetHost)
                .name("home.example.com", "127.0.0.1");
        internetWeb = new NsHttpServer(net.listen(net.internet, 80), "internet", false);
        intranetWeb = new NsHttpServer(net.listen(net.intranet, 80), "intranet", false);
        tls = new NsHttpServer(net.listen(net.internet, 443), "tls", true);
        NetworkRules rules = policy("").network();
        // As a front-end starts it, with ISOLA_DNS naming the fake server: never the host's resolver.
        Map<String, String> env =
                Map.of("ISOLA_DNS", "127.0.0.1:" + dns.address().getPort());
        proxy = new ProxyOnDemand(
                a -> new EgressProxy(
                        rules, DnsResolver.fromEnvironment(env), new LinuxHostFacts(), a, EgressProxy.Settings.DEFAULT),
                e -> {
                    events.add(e);
                    audit.record(e);
                });
        networks = new ProxyNetworks(proxy);
    }

    /** The hosts, or null (the reason printed) when this machine cannot make network namespaces. */
    static TestHosts create(AuditLog audit) throws Exception {
        TestNetwork net = TestNetwork.create();
        if (net == null) {
            return null;
        }
        try {
            return new TestHosts(net, audit);
        } catch (Exception e) {
            net.close();
            throw e;
        }
    }

    /** A policy of the given TOML (without a version line) plus {@link #NETWORK}. */
    static Policy policy(String toml) {
        return PolicyFile.parse("version = 1\n" + toml + "\n" + NETWORK, "test-policy.toml", Path.of("/nonexistent"));
    }

    /** The proxy's decisions on connections from {@code cellId}, of {@code type} (connection.blocked, …). */
    List<AuditEvent> events(String cellId, String type) {
        return events.stream()
                .filter(e -> cellId.equals(e.cell()) && e.type().equals(type))
                .toList();
    }

    @Override
    public void close() throws Exception {
        networks.close();
        internetWeb.close();
        intranetWeb.close();
        tls.close();
        dns.close();
        net.close();
    }
}
