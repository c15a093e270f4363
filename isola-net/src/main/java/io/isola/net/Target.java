package io.isola.net;

import io.isola.core.policy.CanonicalUrl;
import io.isola.core.policy.Cidr;
import java.net.InetAddress;
import java.util.regex.Pattern;

/**
 * Where a cell asked to go: a host name as DNS compares it (IDN as ASCII, lower case, no trailing dot) or one IP
 * address written canonically, and a port. Anything else is refused with the reason: in particular the numeric forms
 * C libraries and curl also read as addresses ({@code 2130706433}, {@code 0x7f.1}, {@code 017700000001},
 * {@code 127.000.000.001}), so that no text means one host to the proxy and another to anyone else.
 *
 * @param host the canonical name, or the address's text for a literal (IPv6 without brackets)
 * @param literal the address a literal names, or null for a name
 */
public record Target(String host, InetAddress literal, int port) {
    /** Names longer than DNS can carry are refused before anything else looks at them. */
    public static final int MAX_NAME = 253;
    // compiled once: String.matches compiles its pattern on every call, and every connection's host comes here
    private static final Pattern DOTTED = Pattern.compile("[0-9.]+"),
            HEXISH = Pattern.compile("(?i)[0-9a-fx.]+"),
            HEX_PART = Pattern.compile("(?i).*\\b0x.*"),
            DOT = Pattern.compile("\\.");

    /** A host as written in a CONNECT line or URL (IPv6 in brackets) and a port; throws {@link Refused}. */
    public static Target of(String text, int port) {
        if (port < 1 || port > 65535) {
            throw new Refused("bad-request", "port " + port + " cannot be: a port is a number from 1 to 65535");
        }
        if (text.isEmpty() || text.length() > MAX_NAME + 2) {
            throw new Refused("bad-name", "the host name is empty or longer than 253 characters");
        }
        if (text.startsWith("[")) {
            if (!text.endsWith("]") || text.contains("%") || !text.contains(":")) {
                throw new Refused("bad-name", "'" + text + "' is not an IPv6 address in brackets (zones are refused)");
            }
            InetAddress a = Cidr.literal(text.substring(1, text.length() - 1));
            if (a == null) {
                throw new Refused("bad-name", "'" + text + "' is not an IPv6 address");
            }
            return new Target(a.getHostAddress(), a, port);
        }
        if (DOTTED.matcher(text).matches()
                || HEXISH.matcher(text).matches() && HEX_PART.matcher(text).matches()) {
            InetAddress a = Cidr.literal(text);
            if (a == null) {
                throw new Refused(
                        "numeric-host",
                        "'" + text + "' is a number but not a dotted quad without leading "
                                + "zeros: C libraries read such forms (2130706433, 0x7f.1, 0177.0.0.1) as addresses, so the "
                                + "proxy refuses them; write the address as four decimal numbers");
            }
            return new Target(a.getHostAddress(), a, port);
        }
        String name;
        try {
            name = CanonicalUrl.host(text);
        } catch (IllegalArgumentException e) {
            throw new Refused("bad-name", e.getMessage() + ": a host is letters, digits, '-' and dots");
        }
        String last = name.substring(name.lastIndexOf('.') + 1);
        if (name.length() > MAX_NAME || !Character.isLetter(last.charAt(0))) {
            throw new Refused(
                    "numeric-host",
                    "'" + text + "' ends in a label that is not a top-level domain: "
                            + "C libraries may read it as an address; give a name or a dotted quad");
        }
        for (String label : DOT.split(name)) {
            if (label.length() > 63) {
                throw new Refused("bad-name", "'" + text + "' has a label longer than 63 characters");
            }
        }
        return new Target(name, null, port);
    }

    /** How the target is written in messages and audit events: host:port, IPv6 in brackets. */
    public String authority() {
        String h = literal != null && host.contains(":") ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    /** Why a request is refused before or without any address: a word for the audit and a sentence for people. */
    public static final class Refused extends RuntimeException {
        private final String rule;

        public Refused(String rule, String message) {
            super(message, null, false, false);
            this.rule = rule;
        }

        public String rule() {
            return rule;
        }
    }
}
