package io.isola.core.policy;

import io.isola.core.trust.TrustLevel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * Reads the network words of a policy: {@code [level.NAME] network} and the {@code [network]} section. Every mistake
 * is added to {@code errors} (FILE:LINE: what and what to do) and reading goes on, so that a check reports them all.
 */
public final class NetworkSection {
    /** The keys of {@code [network]}. */
    public static final Set<String> KEYS =
            Set.of("intranet", "high-value", "vpn-interfaces", "trusted-networks", "ports", "treat-as-public");
    /** Blocks that are never on the internet, so a lab or a test may call them public without harm. */
    private static final List<Cidr> MAY_BE_PUBLIC = List.of(
            Cidr.parse("192.0.2.0/24"),
            Cidr.parse("198.51.100.0/24"),
            Cidr.parse("203.0.113.0/24"),
            Cidr.parse("198.18.0.0/15"),
            Cidr.parse("2001:db8::/32"));

    private final String source;
    private final List<PolicyException> errors;

    private NetworkSection(String source, List<PolicyException> errors) {
        this.source = source;
        this.errors = errors;
    }

    /** The network rules of the policy {@code toml} (its top-level table); mistakes go to {@code errors}. */
    public static NetworkRules parse(TomlTable toml, String source, List<PolicyException> errors) {
        return new NetworkSection(source, errors).read(toml);
    }

    private NetworkRules read(TomlTable toml) {
        Map<TrustLevel, NetworkAccess> access = new EnumMap<>(NetworkRules.defaultAccess());
        for (TrustLevel t : TrustLevel.values()) {
            Object level = toml.get(List.of("level", t.word()));
            if (level instanceof TomlTable table && table.get(List.of("network")) != null) {
                NetworkAccess a = access(table, t);
                if (a != null) {
                    access.put(t, a);
                }
            }
        }
        Object n = toml.get(List.of("network"));
        if (n == null) {
            return new NetworkRules(
                    access,
                    NetworkRules.Destinations.NONE,
                    NetworkRules.Destinations.NONE,
                    List.of(),
                    List.of(),
                    NetworkRules.DEFAULT_PORTS,
                    List.of());
        }
        if (!(n instanceof TomlTable net)) {
            error(toml, "network", "network must be a table: [network] with intranet = [...], high-value = [...]");
            return NetworkRules.DEFAULT;
        }
        for (String k : net.keySet()) {
            if (!KEYS.contains(k)) {
                error(
                        net,
                        k,
                        "unknown key '" + k + "' in [network] (known: "
                                + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        List<Cidr> treatAsPublic = new ArrayList<>();
        for (String s : strings(net, "treat-as-public")) {
            Cidr c = cidr(net, "treat-as-public", s);
            if (c != null && MAY_BE_PUBLIC.stream().noneMatch(m -> m.covers(c))) {
                error(
                        net,
                        "treat-as-public",
                        "treat-as-public lists " + s + ", which is not a documentation or "
                                + "benchmarking block: only parts of 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, "
                                + "198.18.0.0/15 and 2001:db8::/32 may be called public");
            } else if (c != null) {
                treatAsPublic.add(c);
            }
        }
        List<Cidr> trusted = new ArrayList<>();
        for (String s : strings(net, "trusted-networks")) {
            Cidr c = cidr(net, "trusted-networks", s);
            if (c != null && c.prefix() == 0) {
                error(
                        net,
                        "trusted-networks",
                        "trusted-networks lists " + s + ", which is every network: name the "
                                + "networks of your office, e.g. 192.168.10.0/24");
            } else if (c != null) {
                trusted.add(c);
            }
        }
        List<String> vpn = new ArrayList<>();
        for (String s : strings(net, "vpn-interfaces")) {
            if (!s.matches("[A-Za-z0-9_.*-]{1,15}")) {
                error(
                        net,
                        "vpn-interfaces",
                        "'" + s + "' is not an interface name: write e.g. wg0, tun* (at most " + "15 characters)");
            } else if (s.replace("*", "").isEmpty()) {
                error(net, "vpn-interfaces", "'" + s + "' names every interface: name the VPN's, e.g. wg* or tun0");
            } else {
                vpn.add(s);
            }
        }
        return new NetworkRules(
                access,
                destinations(net, "intranet"),
                destinations(net, "high-value"),
                vpn,
                trusted,
                ports(net),
                treatAsPublic);
    }

    private NetworkAccess access(TomlTable level, TrustLevel t) {
        Object v = level.get(List.of("network"));
        NetworkAccess a = v instanceof String s ? NetworkAccess.parse(s) : null;
        if (a == null) {
            error(level, "network", "network must be \"none\", \"internet\" or \"trusted\"");
            return null;
        }
        if (t == TrustLevel.UNTRUSTED && a == NetworkAccess.TRUSTED) {
            error(
                    level,
                    "network",
                    "network = \"trusted\" in [level.untrusted] would let untrusted tasks reach the "
                            + "intranet: use \"internet\" or \"none\"");
            return null;
        }
        return a;
    }

    private NetworkRules.Destinations destinations(TomlTable net, String key) {
        List<OriginPattern> hosts = new ArrayList<>();
        List<Cidr> blocks = new ArrayList<>();
        for (String s : strings(net, key)) {
            String t = s.trim();
            if (t.matches("[0-9./]+") || t.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(/[0-9]+)?")) {
                Cidr c = cidr(net, key, t);
                if (c != null) {
                    blocks.add(c);
                }
                continue;
            }
            try {
                OriginPattern p = OriginPattern.parse(t);
                if (p.scheme() != null || p.port() != null || p.path() != null) {
                    error(
                            net,
                            key,
                            key + " lists '" + s + "': name a host (mail.example.com), its domain "
                                    + "(*.example.com) or an address block (10.0.0.0/8), without scheme, port or path");
                } else {
                    hosts.add(p);
                }
            } catch (IllegalArgumentException e) {
                error(net, key, key + ": " + e.getMessage());
            }
        }
        return new NetworkRules.Destinations(hosts, blocks);
    }

    private Set<Integer> ports(TomlTable net) {
        Object v = net.get(List.of("ports"));
        if (v == null) {
            return NetworkRules.DEFAULT_PORTS;
        }
        Set<Integer> ports = new LinkedHashSet<>();
        if (v instanceof TomlArray a) {
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i) instanceof Long p && p >= 1 && p <= 65535) {
                    ports.add(p.intValue());
                } else {
                    error(net, "ports", "ports must be a list of port numbers from 1 to 65535, e.g. [80, 443]");
                    return NetworkRules.DEFAULT_PORTS;
                }
            }
            return ports;
        }
        error(net, "ports", "ports must be a list of port numbers from 1 to 65535, e.g. [80, 443]");
        return NetworkRules.DEFAULT_PORTS;
    }

    private Cidr cidr(TomlTable t, String key, String text) {
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            error(t, key, key + ": " + e.getMessage());
            return null;
        }
    }

    private List<String> strings(TomlTable t, String key) {
        Object v = t.get(List.of(key));
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (v instanceof TomlArray a) {
            for (int i = 0; i < a.size(); i++) {
                if (!(a.get(i) instanceof String s)) {
                    out.clear();
                    break;
                }
                out.add(s);
            }
            if (out.size() == a.size()) {
                return out;
            }
        }
        error(t, key, key + " must be a list of strings, e.g. [\"a\", \"b\"]");
        return List.of();
    }

    private void error(TomlTable t, String key, String message) {
        var pos = t.inputPositionOf(List.of(key));
        errors.add(new PolicyException(source, pos == null ? 0 : pos.line(), message));
    }
}
