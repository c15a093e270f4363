package io.isola.net;

import io.isola.core.policy.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * What kind of address an IP address is, from the IANA special-purpose registries (IPv4 and IPv6), as one table.
 * An IPv6 address that carries an IPv4 one (IPv4-mapped {@code ::ffff:0:0/96}, NAT64 {@code 64:ff9b::/96}) is the
 * IPv4 address it carries. Every IPv4 address the table does not name is public; IPv6 is public only inside
 * {@code 2000::/3}.
 */
public enum AddressClass {
    /** A public unicast address: what an {@code internet} cell may reach. */
    PUBLIC,
    /** Documentation and benchmarking blocks: on no real network, public only where the policy says so. */
    DOCUMENTATION,
    /** Private networks (RFC 1918, CGNAT, unique local): reachable only as the policy's intranet. */
    PRIVATE,
    /** This host, its links, multicast, reserved and transition blocks: never reached through the proxy. */
    NEVER;

    /** One row of the table: a block, its class and the name a decision gives as its rule. */
    public record Range(Cidr block, AddressClass kind, String name) {}

    private static final List<Range> TABLE = List.of(
            row("0.0.0.0/8", NEVER, "this network (0.0.0.0/8)"),
            row("10.0.0.0/8", PRIVATE, "private (10.0.0.0/8)"),
            row("100.64.0.0/10", PRIVATE, "carrier-grade NAT (100.64.0.0/10)"),
            row("127.0.0.0/8", NEVER, "loopback (127.0.0.0/8)"),
            row("169.254.0.0/16", NEVER, "link-local (169.254.0.0/16)"),
            row("172.16.0.0/12", PRIVATE, "private (172.16.0.0/12)"),
            row("192.0.0.0/24", NEVER, "IETF protocol assignments (192.0.0.0/24)"),
            row("192.0.2.0/24", DOCUMENTATION, "documentation (192.0.2.0/24)"),
            row("192.88.99.0/24", NEVER, "6to4 relay anycast (192.88.99.0/24)"),
            row("192.168.0.0/16", PRIVATE, "private (192.168.0.0/16)"),
            row("198.18.0.0/15", DOCUMENTATION, "benchmarking (198.18.0.0/15)"),
            row("198.51.100.0/24", DOCUMENTATION, "documentation (198.51.100.0/24)"),
            row("203.0.113.0/24", DOCUMENTATION, "documentation (203.0.113.0/24)"),
            row("224.0.0.0/4", NEVER, "multicast (224.0.0.0/4)"),
            row("240.0.0.0/4", NEVER, "reserved (240.0.0.0/4)"),
            row("255.255.255.255/32", NEVER, "broadcast (255.255.255.255)"),
            row("::/128", NEVER, "unspecified (::)"),
            row("::1/128", NEVER, "loopback (::1)"),
            row("::/96", NEVER, "IPv4-compatible (::/96)"),
            row("64:ff9b:1::/48", NEVER, "local NAT64 (64:ff9b:1::/48)"),
            row("100::/64", NEVER, "discard-only (100::/64)"),
            row("2001::/32", NEVER, "Teredo (2001::/32)"),
            row("2001:db8::/32", DOCUMENTATION, "documentation (2001:db8::/32)"),
            row("2001::/23", NEVER, "IETF protocol assignments (2001::/23)"),
            row("2002::/16", NEVER, "6to4 (2002::/16)"),
            row("3fff::/20", DOCUMENTATION, "documentation (3fff::/20)"),
            row("fc00::/7", PRIVATE, "unique local (fc00::/7)"),
            row("fe80::/10", NEVER, "link-local (fe80::/10)"),
            row("fec0::/10", NEVER, "site-local (fec0::/10)"),
            row("ff00::/8", NEVER, "multicast (ff00::/8)"));
    private static final Range PUBLIC_V4 = new Range(Cidr.parse("0.0.0.0/0"), PUBLIC, "public");
    private static final Range PUBLIC_V6 = new Range(Cidr.parse("2000::/3"), PUBLIC, "public");
    private static final Range OTHER_V6 = new Range(Cidr.parse("::/0"), NEVER, "not global unicast");
    private static final byte[] NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final byte[] MAPPED = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private static Range row(String block, AddressClass kind, String name) {
        return new Range(Cidr.parse(block), kind, name);
    }

    /** The row an address falls in: the most specific block of the table that holds it. */
    public static Range of(InetAddress address) {
        InetAddress a = embeddedIpv4(address);
        Range best = null;
        for (Range r : TABLE) {
            if (r.block().contains(a)
                    && (best == null || r.block().prefix() > best.block().prefix())) {
                best = r;
            }
        }
        if (best != null) {
            return best;
        }
        if (a.getAddress().length == 4) {
            return PUBLIC_V4;
        }
        return PUBLIC_V6.block().contains(a) ? PUBLIC_V6 : OTHER_V6;
    }

    /** The IPv4 address an IPv4-mapped or NAT64 IPv6 address carries; else the address itself. */
    public static InetAddress embeddedIpv4(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != 16 || !(startsWith(b, MAPPED) || startsWith(b, NAT64))) {
            return address;
        }
        try {
            return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return java.util.Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }
}
