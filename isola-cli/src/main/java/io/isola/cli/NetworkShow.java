package io.isola.cli;

import io.isola.core.policy.Cidr;
import io.isola.core.policy.NetworkRules;
import io.isola.core.policy.OriginPattern;
import java.util.ArrayList;
import java.util.List;

/** The policy's [network] section as {@code isola policy show} prints it. */
final class NetworkShow {
    private NetworkShow() {}

    static void print(NetworkRules n) {
        System.out.println("network (docs/network.md):");
        System.out.println("  intranet: " + list(n.intranet()));
        System.out.println("  high-value: " + list(n.highValue()));
        System.out.println(
                "  vpn-interfaces: " + (n.vpnInterfaces().isEmpty() ? "none" : String.join(", ", n.vpnInterfaces())));
        System.out.println("  trusted-networks: "
                + (n.trustedNetworks().isEmpty()
                        ? "none"
                        : String.join(
                                ", ",
                                n.trustedNetworks().stream().map(Cidr::toString).toList())));
        System.out.println("  ports for internet destinations: "
                + n.ports().stream().sorted().map(String::valueOf).toList());
        if (!n.treatAsPublic().isEmpty()) {
            System.out.println("  treated as public: "
                    + String.join(
                            ", ", n.treatAsPublic().stream().map(Cidr::toString).toList()));
        }
    }

    private static String list(NetworkRules.Destinations d) {
        List<String> all =
                new ArrayList<>(d.hosts().stream().map(OriginPattern::text).toList());
        all.addAll(d.blocks().stream().map(Cidr::toString).toList());
        return all.isEmpty() ? "none" : String.join(", ", all);
    }
}
