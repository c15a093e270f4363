package io.isola.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class LinuxHostFactsTest {
    private static final String ROUTE = """
            Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
            eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
            eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
            """;

    @Test
    void readsTheDefaultGatewayFromProcNetRoute() {
        assertThat(LinuxHostFacts.defaultGateway(ROUTE)).containsExactly("eth0", "192.0.2.1");
        assertThat(LinuxHostFacts.defaultGateway(ROUTE.lines().limit(1).toList().getFirst()))
                .isNull();
        assertThat(LinuxHostFacts.defaultGateway("garbage\nx 00000000 zz 0003 0 0 0 00000000\n"))
                .isNull();
    }

    @Test
    void findsTheInterfaceOfARouteWithoutSendingAndKnowsItsOwnAddresses() throws Exception {
        LinuxHostFacts facts = new LinuxHostFacts();
        assertThat(facts.routeInterface(InetAddress.ofLiteral("127.0.0.1"))).isEqualTo("lo");
        assertThat(facts.isOwnAddress(InetAddress.ofLiteral("127.0.0.1"))).isTrue();
        assertThat(facts.isOwnAddress(InetAddress.ofLiteral("198.51.100.254"))).isFalse();
    }
}
