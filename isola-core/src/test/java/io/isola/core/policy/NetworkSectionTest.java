package io.isola.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.trust.TrustLevel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tomlj.Toml;

class NetworkSectionTest {
    private static List<String> errors(String toml) {
        List<PolicyException> errors = new ArrayList<>();
        NetworkSection.parse(Toml.parse(toml), "p.toml", errors);
        return errors.stream().map(Throwable::getMessage).toList();
    }

    @Test
    void readsTheNetworkWordsOfAPolicy() {
        Policy p = PolicyFile.parse("""
                version = 1
                [level.untrusted]
                network = "none"
                [network]
                intranet = ["10.0.0.0/8", "*.corp.example.com", "fd00::/8"]
                high-value = ["*.salesforce.com", "mail.example.com"]
                vpn-interfaces = ["wg*", "tun0"]
                trusted-networks = ["192.168.10.0/24"]
                ports = [80, 443, 8443]
                treat-as-public = ["198.51.100.0/24"]
                """, "p.toml", Path.of("/home/u"));
        NetworkRules n = p.network();
        assertThat(n.access(TrustLevel.UNTRUSTED)).isEqualTo(NetworkAccess.NONE);
        assertThat(n.access(TrustLevel.TRUSTED)).isEqualTo(NetworkAccess.TRUSTED);
        assertThat(n.intranet().matchName("wiki.corp.example.com")).isEqualTo("*.corp.example.com");
        assertThat(n.intranet().matchName("corp.example.com")).isEqualTo("*.corp.example.com");
        assertThat(n.intranet().matchName("evilcorp.example.com")).isNull();
        assertThat(n.intranet().matchAddress(Cidr.literal("10.9.9.9"))).hasToString("10.0.0.0/8");
        assertThat(n.highValue().matchName("mail.example.com")).isEqualTo("mail.example.com");
        assertThat(n.highValue().matchName("x.mail.example.com")).isNull();
        assertThat(n.isVpnInterface("wg-office")).isTrue();
        assertThat(n.isVpnInterface("tun1")).isFalse();
        assertThat(n.ports()).containsExactlyInAnyOrder(80, 443, 8443);
    }

    @Test
    void withoutNetworkWordsUntrustedReachesTheInternetAndTrustedTheIntranet() {
        Policy p = PolicyFile.parse("version = 1\n", "p.toml", Path.of("/home/u"));
        assertThat(p.network().access(TrustLevel.UNTRUSTED)).isEqualTo(NetworkAccess.INTERNET);
        assertThat(p.network().access(TrustLevel.TRUSTED)).isEqualTo(NetworkAccess.TRUSTED);
        assertThat(p.network().ports()).containsExactlyInAnyOrder(80, 443);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "[level.untrusted]~network = \"trusted\"|p.toml:2: network = \"trusted\" in [level.untrusted] would let",
                "[level.trusted]~network = \"lan\"|p.toml:2: network must be \"none\", \"internet\" or \"trusted\"",
                "[network]~intranet = [\"10.0.0.1/8\"]|p.toml:2: intranet: '10.0.0.1/8' has bits set past its prefix: write "
                        + "10.0.0.0/8",
                "[network]~intranet = [\"010.0.0.0/8\"]|p.toml:2: intranet: '010.0.0.0/8' is not an address block",
                "[network]~intranet = [\"https://x.example.com/\"]|p.toml:2: intranet lists 'https://x.example.com/': name a",
                "[network]~high-value = [\"*.com\"]|p.toml:2: high-value: origin '*.com' trusts a whole top-level domain",
                "[network]~high-value = \"x.com\"|p.toml:2: high-value must be a list of strings",
                "[network]~vpn-interfaces = [\"*\"]|p.toml:2: '*' names every interface",
                "[network]~vpn-interfaces = [\"wg 0\"]|p.toml:2: 'wg 0' is not an interface name",
                "[network]~trusted-networks = [\"0.0.0.0/0\"]|p.toml:2: trusted-networks lists 0.0.0.0/0, which is every",
                "[network]~ports = [0]|p.toml:2: ports must be a list of port numbers from 1 to 65535",
                "[network]~ports = \"80\"|p.toml:2: ports must be a list of port numbers",
                "[network]~treat-as-public = [\"10.0.0.0/8\"]|p.toml:2: treat-as-public lists 10.0.0.0/8, which is not a "
                        + "documentation",
                "[network]~intranets = []|p.toml:2: unknown key 'intranets' in [network]",
                "network = 1|p.toml:1: network must be a table",
            })
    void reportsEachMistakeWithItsLineAndWhatToDo(String toml, String message) {
        String text = toml.replace("~", "\n"); // CSV rows are one line: ~ stands for a line break
        assertThat(errors(text)).hasSize(1);
        assertThat(errors(text).getFirst()).startsWith(message);
    }

    @Test
    void collectsEveryMistakeNotJustTheFirst() {
        assertThat(errors("""
                [network]
                intranet = ["10.0.0.1/8"]
                ports = [0]
                vpn-interfaces = ["*"]
                """)).hasSize(3);
    }

    @Test
    void policyFileReportsTheFirstNetworkMistakeAsEveryOther() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        PolicyFile.parse("version = 1\n[network]\nports = [99999]\n", "p.toml", Path.of("/home/u")))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith("p.toml:3: ports must be");
    }
}
