package io.isola.core.policy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.regex.Pattern;

/**
 * An address block ({@code 10.0.0.0/8}, {@code fd00::/8}) or one address (a /32 or /128). Only canonical literals
 * are read: a dotted quad without leading zeros, or IPv6 text; never the decimal, octal or hex forms that C
 * libraries also accept, so that a policy and the proxy can never disagree about what a text means.
 */
public record Cidr(byte[] network, int prefix) {
    private static final Pattern QUAD = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]+");

    public Cidr {
        network = network.clone();
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} saying what to write instead. */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        InetAddress a = literal(addr);
        if (a == null) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not an address block: write e.g. 10.0.0.0/8 or " + "fd00::/8");
        }
        int max = a.getAddress().length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > max) {
                throw new IllegalArgumentException("'" + text + "' has prefix length '" + p + "': use 0 to " + max);
            }
            prefix = Integer.parseInt(p);
        }
        byte[] bytes = a.getAddress();
        if (!equals(mask(bytes, prefix), bytes)) {
            throw new IllegalArgumentException(
                    "'" + text + "' has bits set past its prefix: write " + format(mask(bytes, prefix)) + "/" + prefix);
        }
        return new Cidr(bytes, prefix);
    }

    /**
     * The address a canonical literal names, or null: a dotted quad with no leading zeros, or IPv6 text (without
     * brackets, zone or scope). Never does a DNS lookup.
     */
    public static InetAddress literal(String text) {
        try {
            if (QUAD.matcher(text).matches()) {
                for (String part : text.split("\\.")) {
                    if (Integer.parseInt(part) > 255) {
                        return null;
                    }
                }
                return Inet4Address.ofLiteral(text);
            }
            if (text.contains(":") && V6.matcher(text).matches()) {
                InetAddress a = Inet6Address.ofLiteral(text);
                return a; // an IPv4-mapped text comes back as Inet4Address: the same host
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    public boolean contains(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == network.length && equals(mask(b, prefix), network);
    }

    /** Whether the whole of {@code other} lies within this block. */
    public boolean covers(Cidr other) {
        return other.network.length == network.length
                && other.prefix >= prefix
                && equals(mask(other.network, prefix), network);
    }

    private static byte[] mask(byte[] b, int prefix) {
        byte[] out = b.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - bits));
        }
        return out;
    }

    private static boolean equals(byte[] a, byte[] b) {
        return java.util.Arrays.equals(a, b);
    }

    private static String format(byte[] b) {
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefix;
    }
}
