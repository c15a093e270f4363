package io.isola.net;

import io.isola.core.policy.NetworkAccess;
import io.isola.core.policy.NetworkRules;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The network policy's decisions, first on the name a cell asked for and then on every address it resolves to.
 * A name is reached only when every one of its addresses may be: a DNS answer that mixes a public address with a
 * private one is refused whole, so that no choice of address, now or at a retry, leads somewhere the name may not.
 * docs/network.md states the rules in words.
 */
public final class Decider {
    private final NetworkRules rules;
    private final HostFacts facts;

    public Decider(NetworkRules rules, HostFacts facts) {
        this.rules = rules;
        this.facts = facts;
    }

    public NetworkRules rules() {
        return rules;
    }

    /** A block decided on the name alone (so it is never even resolved), or null to go on to its addresses. */
    public Decision byName(NetworkAccess level, Target t) {
        if (level == NetworkAccess.NONE) {
            return Decision.block("network none: this level's cells reach nothing", t.literal());
        }
        if (t.literal() != null || level == NetworkAccess.TRUSTED) {
            return null;
        }
        String hv = rules.highValue().matchName(t.host());
        if (hv != null) {
            return Decision.block("high-value destination " + hv + ": not for internet cells", null);
        }
        String in = rules.intranet().matchName(t.host());
        if (in != null) {
            return Decision.block("intranet destination " + in + ": not for internet cells", null);
        }
        return null;
    }

    /** The decision for each address of {@code t}, in order. */
    public List<Decision> byAddress(NetworkAccess level, Target t, List<InetAddress> addresses) {
        List<Decision> out = new ArrayList<>(addresses.size());
        for (InetAddress a : addresses) {
            out.add(address(level, t, a));
        }
        return out;
    }

    /** The whole verdict: the name's block, or the first address's block, or allowed by the first address's rule. */
    public static Decision verdict(List<Decision> perAddress) {
        for (Decision d : perAddress) {
            if (!d.allowed()) {
                return d;
            }
        }
        return perAddress.getFirst();
    }

    Decision address(NetworkAccess level, Target t, InetAddress a) {
        if (level == NetworkAccess.NONE) {
            return Decision.block("network none: this level's cells reach nothing", a);
        }
        if (facts.isOwnAddress(a) || facts.isOwnAddress(AddressClass.embeddedIpv4(a))) {
            return Decision.block("this host's own address", a);
        }
        AddressClass.Range range = AddressClass.of(a);
        InetAddress judged = AddressClass.embeddedIpv4(a);
        if (range.kind() == AddressClass.NEVER) {
            return Decision.block(range.name(), a);
        }
        boolean publicByPolicy = rules.treatAsPublic().stream().anyMatch(c -> c.contains(judged));
        if (range.kind() == AddressClass.DOCUMENTATION && !publicByPolicy) {
            return Decision.block(
                    range.name() + ": on no real network (a lab may list it in [network] " + "treat-as-public)", a);
        }
        String name = t.literal() == null ? t.host() : null;
        String hv = name == null ? null : rules.highValue().matchName(name);
        if (hv == null && rules.highValue().matchAddress(judged) != null) {
            hv = rules.highValue().matchAddress(judged).toString();
        }
        if (hv != null) {
            return highValue(level, hv, a);
        }
        String in = name == null ? null : rules.intranet().matchName(name);
        if (in == null && rules.intranet().matchAddress(judged) != null) {
            in = rules.intranet().matchAddress(judged).toString();
        }
        if (in != null) {
            return level == NetworkAccess.TRUSTED
                    ? Decision.allow("intranet destination " + in, a)
                    : Decision.block("intranet destination " + in + ": not for internet cells", a);
        }
        if (range.kind() == AddressClass.PRIVATE) {
            return Decision.block(range.name() + ": not in [network] intranet", a);
        }
        if (!rules.ports().contains(t.port())) {
            return Decision.block(
                    "port " + t.port() + " is not in [network] ports "
                            + rules.ports().stream().sorted().toList(),
                    a);
        }
        return Decision.allow(publicByPolicy ? "public (treat-as-public)" : "public", a);
    }

    private Decision highValue(NetworkAccess level, String entry, InetAddress a) {
        if (level != NetworkAccess.TRUSTED) {
            return Decision.block("high-value destination " + entry + ": not for internet cells", a);
        }
        if (facts.onTrustedNetwork(rules.trustedNetworks())) {
            return Decision.allow("high-value destination " + entry + " from a trusted network", a);
        }
        String iface = facts.routeInterface(a);
        if (iface != null && rules.isVpnInterface(iface)) {
            return Decision.allow("high-value destination " + entry + " over VPN interface " + iface, a);
        }
        return Decision.block(
                "high-value destination " + entry + " needs a trusted network or a VPN (the route " + "goes through "
                        + (iface == null ? "no interface" : iface) + ")",
                a);
    }
}
