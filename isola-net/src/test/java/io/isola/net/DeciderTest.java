package io.isola.net;

import static io.isola.core.policy.NetworkAccess.INTERNET;
import static io.isola.core.policy.NetworkAccess.NONE;
import static io.isola.core.policy.NetworkAccess.TRUSTED;
import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.policy.NetworkAccess;
import io.isola.core.policy.NetworkRules;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeciderTest {
    private static final NetworkRules RULES = Rules.of("""
            [network]
            intranet = ["10.0.0.0/8", "*.corp.example.com"]
            high-value = ["*.salesforce.com", "mail.example.com", "8.8.4.0/24"]
            vpn-interfaces = ["wg*", "tun*"]
            trusted-networks = ["192.168.10.0/24"]
            treat-as-public = ["198.51.100.0/24"]
            """);

    private static Decision decide(NetworkAccess level, String host, int port, HostFacts facts, String... addrs) {
        Decider d = new Decider(RULES, facts);
        Target t = Target.of(host, port);
        Decision byName = d.byName(level, t);
        if (byName != null) {
            return byName;
        }
        List<InetAddress> a = t.literal() != null
                ? List.of(t.literal())
                : java.util.Arrays.stream(addrs).map(FakeDns::address).toList();
        return Decider.verdict(d.byAddress(level, t, a));
    }

    private static Decision decide(NetworkAccess level, String host, int port, String... addrs) {
        return decide(level, host, port, FixedFacts.NONE, addrs);
    }

    @Test
    void anInternetCellReachesPublicAddressesOnTheAllowedPortsOnly() {
        assertThat(decide(INTERNET, "www.example.org", 443, "93.184.215.14").allowed())
                .isTrue();
        assertThat(decide(INTERNET, "www.example.org", 80, "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
                        .allowed())
                .isTrue();
        assertThat(decide(INTERNET, "www.example.org", 22, "93.184.215.14").rule())
                .contains("port 22");
        assertThat(decide(INTERNET, "93.184.215.14", 8080).allowed()).isFalse();
    }

    @Test
    void anInternetCellNeverReachesLocalPrivateIntranetOrHighValue() {
        assertThat(decide(INTERNET, "127.0.0.1", 80).rule()).startsWith("loopback");
        assertThat(decide(INTERNET, "[::1]", 443).rule()).startsWith("loopback");
        assertThat(decide(INTERNET, "0.0.0.0", 443).rule()).startsWith("this network");
        assertThat(decide(INTERNET, "169.254.169.254", 80).rule()).startsWith("link-local");
        assertThat(decide(INTERNET, "[::ffff:169.254.169.254]", 80).rule()).startsWith("link-local");
        assertThat(decide(INTERNET, "172.20.1.1", 443).rule()).startsWith("private");
        assertThat(decide(INTERNET, "100.100.1.1", 443).rule()).startsWith("carrier-grade NAT");
        assertThat(decide(INTERNET, "[fd00::1]", 443).rule()).startsWith("unique local");
        assertThat(decide(INTERNET, "224.0.0.251", 443).rule()).startsWith("multicast");
        assertThat(decide(INTERNET, "10.1.2.3", 443).rule()).contains("intranet");
        assertThat(decide(INTERNET, "wiki.corp.example.com", 443, "93.184.215.14")
                        .rule())
                .isEqualTo("intranet destination *.corp.example.com: not for internet cells");
        assertThat(decide(INTERNET, "corp.example.com", 443, "93.184.215.14").allowed())
                .isFalse();
        assertThat(decide(INTERNET, "eu1.salesforce.com", 443, "93.184.215.14").rule())
                .startsWith("high-value");
        assertThat(decide(INTERNET, "8.8.4.4", 443).rule()).startsWith("high-value");
        assertThat(decide(INTERNET, "192.0.2.5", 443).rule()).startsWith("documentation");
    }

    @Test
    void aNameIsRefusedWholeWhenAnyOfItsAddressesIs() {
        Decision d = decide(INTERNET, "rebind.example.org", 443, "93.184.215.14", "10.1.1.1");
        assertThat(d.allowed()).isFalse();
        assertThat(d.address().getHostAddress()).isEqualTo("10.1.1.1");
        assertThat(decide(INTERNET, "loop.example.org", 443, "127.0.0.1").rule())
                .startsWith("loopback");
    }

    @Test
    void theHostsOwnAddressesAreNeverReached() {
        var own = new FixedFacts(Set.of(FakeDns.address("93.184.215.14")), "eth0", false);
        assertThat(decide(INTERNET, "me.example.org", 443, own, "93.184.215.14").rule())
                .isEqualTo("this host's own address");
        assertThat(decide(TRUSTED, "me.example.org", 443, own, "93.184.215.14").allowed())
                .isFalse();
    }

    @Test
    void aTrustedCellAlsoReachesTheIntranet() {
        assertThat(decide(TRUSTED, "10.1.2.3", 22).rule()).isEqualTo("intranet destination 10.0.0.0/8");
        assertThat(decide(TRUSTED, "wiki.corp.example.com", 8443, "172.16.5.5").allowed())
                .isTrue();
        assertThat(decide(TRUSTED, "192.168.1.1", 443).allowed()).isFalse(); // private, not named intranet
        assertThat(decide(TRUSTED, "wiki.corp.example.com", 443, "127.0.0.1").allowed())
                .isFalse();
        assertThat(decide(TRUSTED, "www.example.org", 443, "93.184.215.14").allowed())
                .isTrue();
    }

    @Test
    void aTrustedCellReachesHighValueOnlyFromATrustedNetworkOrOverAVpn() {
        assertThat(decide(TRUSTED, "mail.example.com", 443, "93.184.215.14").rule())
                .contains("needs a trusted network or a VPN")
                .contains("eth0");
        var office = new FixedFacts(Set.of(), "eth0", true);
        assertThat(decide(TRUSTED, "mail.example.com", 443, office, "93.184.215.14")
                        .rule())
                .contains("from a trusted network");
        var vpn = new FixedFacts(Set.of(), "wg0", false);
        assertThat(decide(TRUSTED, "x.salesforce.com", 443, vpn, "93.184.215.14")
                        .rule())
                .contains("over VPN interface wg0");
        assertThat(decide(INTERNET, "x.salesforce.com", 443, vpn, "93.184.215.14")
                        .allowed())
                .isFalse();
    }

    @Test
    void treatAsPublicMakesOnlyTheListedDocumentationBlockPublic() {
        assertThat(decide(INTERNET, "198.51.100.7", 443).rule()).isEqualTo("public (treat-as-public)");
        assertThat(decide(INTERNET, "203.0.113.7", 443).allowed()).isFalse();
    }

    @Test
    void levelNoneReachesNothing() {
        assertThat(decide(NONE, "93.184.215.14", 443).allowed()).isFalse();
        assertThat(decide(NONE, "www.example.org", 443, "93.184.215.14").rule()).startsWith("network none");
    }
}
