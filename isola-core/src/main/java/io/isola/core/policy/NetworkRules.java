package io.isola.core.policy;

import io.isola.core.trust.TrustLevel;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The policy's network words: what each trust level may reach ({@code [level.NAME] network}) and the {@code [network]}
 * section that names the trusted (intranet) and high-value destinations, the VPN interfaces, the host networks that
 * count as trusted and the ports an {@code internet} cell may use. docs/network.md explains the model.
 *
 * @param treatAsPublic documentation or benchmarking blocks that count as public addresses (test and lab set-ups);
 *     nothing else can be listed there
 */
public record NetworkRules(
        Map<TrustLevel, NetworkAccess> access,
        Destinations intranet,
        Destinations highValue,
        List<String> vpnInterfaces,
        List<Cidr> trustedNetworks,
        Set<Integer> ports,
        List<Cidr> treatAsPublic) {
    /** The ports an {@code internet} cell may use when the policy names none: HTTP and HTTPS. */
    public static final Set<Integer> DEFAULT_PORTS = Set.of(80, 443);

    /** What a policy without network words means: untrusted cells reach the internet, trusted ones the intranet. */
    public static final NetworkRules DEFAULT = new NetworkRules(
            defaultAccess(), Destinations.NONE, Destinations.NONE, List.of(), List.of(), DEFAULT_PORTS, List.of());

    public NetworkRules {
        access = Map.copyOf(access);
        vpnInterfaces = List.copyOf(vpnInterfaces);
        trustedNetworks = List.copyOf(trustedNetworks);
        ports = Set.copyOf(ports);
        treatAsPublic = List.copyOf(treatAsPublic);
    }

    public static Map<TrustLevel, NetworkAccess> defaultAccess() {
        Map<TrustLevel, NetworkAccess> m = new EnumMap<>(TrustLevel.class);
        m.put(TrustLevel.UNTRUSTED, NetworkAccess.INTERNET);
        m.put(TrustLevel.TRUSTED, NetworkAccess.TRUSTED);
        return m;
    }

    /** The network a trust level's cells get. */
    public NetworkAccess access(TrustLevel level) {
        return access.getOrDefault(level, NetworkAccess.NONE);
    }

    /** Whether interface {@code name} is one the policy calls a VPN ({@code wg*}, {@code tun0}). */
    public boolean isVpnInterface(String name) {
        for (String glob : vpnInterfaces) {
            if (Pattern.matches(OriginPattern.glob(glob), name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A set of destinations: host names ({@code mail.example.com}; {@code *.example.com} is example.com and every
     * name below it) and address blocks.
     */
    public record Destinations(List<OriginPattern> hosts, List<Cidr> blocks) {
        public static final Destinations NONE = new Destinations(List.of(), List.of());

        public Destinations {
            hosts = List.copyOf(hosts);
            blocks = List.copyOf(blocks);
        }

        /** The entry that names {@code host} (a canonical, lower-case name), or null. */
        public String matchName(String host) {
            for (OriginPattern p : hosts) {
                if (host.equals(p.host()) || (p.subdomains() && host.endsWith("." + p.host()))) {
                    return p.text();
                }
            }
            return null;
        }

        /** The block that holds {@code address}, or null. */
        public Cidr matchAddress(InetAddress address) {
            for (Cidr c : blocks) {
                if (c.contains(address)) {
                    return c;
                }
            }
            return null;
        }

        public boolean isEmpty() {
            return hosts.isEmpty() && blocks.isEmpty();
        }
    }
}
