package io.isola.net;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The head of one request a cell sent to its proxy, read strictly: {@code CONNECT host:port HTTP/1.1} or an
 * absolute-form request ({@code GET http://host/path HTTP/1.1}), CRLF line ends, header names that are tokens, no
 * control characters, no folded lines, within {@link #MAX_HEAD} bytes. Whatever does not fit is refused, never
 * repaired, because a proxy and a server that repair differently disagree about where a request goes.
 *
 * @param target for CONNECT the authority; otherwise the path and query to send (origin-form)
 * @param headers name and value pairs as sent, in order
 */
public record RequestHead(String method, Target destination, String target, List<String[]> headers) {
    /** The most a request line and its headers may take: browsers send 1 to 4 KiB. */
    public static final int MAX_HEAD = 32 * 1024;

    public static final int MAX_HEADERS = 100;
    // Compiled once: String.matches and a split on a two-character string compile a pattern on every call, which
    // was most of the time the proxy spent on a connection's head.
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern VERSION = Pattern.compile("HTTP/1\\.[01]");
    private static final Pattern CRLF = Pattern.compile("\r\n");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");
    /** Hop-by-hop and proxy headers that are the proxy's business, not the server's. */
    private static final Set<String> DROPPED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "proxy-authorization",
            "proxy-authenticate",
            "te",
            "trailer",
            "upgrade",
            "host");

    /** The length of the head in {@code b} (through its blank line), or -1 when it has not ended yet. */
    public static int headLength(byte[] b, int len) {
        for (int i = 3; i < len; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Parses a whole head (ending in CRLF CRLF); throws {@link Target.Refused} saying what is wrong. */
    public static RequestHead parse(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7f) {
                throw bad("the request holds a control character");
            }
        }
        String[] lines = CRLF.split(text.substring(0, text.length() - 4), -1);
        for (String l : lines) {
            if (l.indexOf('\n') >= 0 || l.indexOf('\r') >= 0) {
                throw bad("the request has a line that does not end in CRLF");
            }
        }
        String[] parts = lines[0].split(" ", -1);
        if (parts.length != 3 || !VERSION.matcher(parts[2]).matches()) {
            throw bad("the request line is not METHOD TARGET HTTP/1.1");
        }
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i];
            int colon = l.indexOf(':');
            if (colon <= 0 || !TOKEN.matcher(l.substring(0, colon)).matches()) {
                throw bad("header line " + i + " is not NAME: VALUE (folded lines are refused)");
            }
            headers.add(
                    new String[] {l.substring(0, colon), l.substring(colon + 1).strip()});
        }
        if (headers.size() > MAX_HEADERS) {
            throw new Target.Refused("too-large", "more than " + MAX_HEADERS + " headers");
        }
        String method = parts[0];
        if (method.equals("CONNECT")) {
            return new RequestHead(method, authority(parts[1], -1), parts[1], headers);
        }
        if (!METHODS.contains(method)) {
            throw bad("method '" + printable(method) + "' is not one the proxy forwards");
        }
        String url = parts[1];
        if (url.regionMatches(true, 0, "https://", 0, 8)) {
            throw bad("https:// URLs go through CONNECT: the proxy never sees inside TLS");
        }
        if (!url.regionMatches(true, 0, "http://", 0, 7)) {
            throw bad("a proxy request names its URL whole (GET http://host/path HTTP/1.1)");
        }
        String rest = url.substring(7);
        int end = 0;
        while (end < rest.length() && "/?#".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        String path = rest.substring(end);
        if (path.contains("#")) {
            throw bad("the URL has a fragment, which is never sent");
        }
        return new RequestHead(
                method,
                authority(rest.substring(0, end), 80),
                path.isEmpty() ? "/" : path.startsWith("?") ? "/" + path : path,
                headers);
    }

    /** host:port (IPv6 in brackets); the port may be left out only where {@code dflt} is one. */
    static Target authority(String a, int dflt) {
        if (a.contains("@")) {
            throw bad("the host carries user@ before it, which only serves to make it look like another");
        }
        int close = a.startsWith("[") ? a.indexOf(']') : -1;
        int colon = a.indexOf(':', Math.max(close, 0));
        if (a.startsWith("[")
                && (close < 0 || (colon < 0 && close != a.length() - 1) || (colon >= 0 && colon != close + 1))) {
            throw bad("'" + printable(a) + "' is not [IPv6]:port");
        }
        String host = colon < 0 ? a : a.substring(0, colon);
        int port = dflt;
        if (colon >= 0) {
            String p = a.substring(colon + 1);
            if (!PORT.matcher(p).matches()) {
                throw bad("'" + printable(a) + "' has no port a server could use");
            }
            port = Integer.parseInt(p);
        }
        if (port < 0) {
            throw bad("CONNECT names host:port, e.g. CONNECT example.com:443 HTTP/1.1");
        }
        return Target.of(host, port);
    }

    /** The head sent to the server for a plain HTTP request: origin-form, its Host, one request, then close. */
    public byte[] forwarded() {
        StringBuilder s = new StringBuilder(256);
        s.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        String host = destination.literal() != null && destination.host().contains(":")
                ? "[" + destination.host() + "]"
                : destination.host();
        s.append("Host: ")
                .append(host)
                .append(destination.port() == 80 ? "" : ":" + destination.port())
                .append("\r\n");
        for (String[] h : headers) {
            if (!DROPPED.contains(h[0].toLowerCase(Locale.ROOT))) {
                s.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
        }
        s.append("Connection: close\r\n\r\n");
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Target.Refused bad(String why) {
        return new Target.Refused("bad-request", why);
    }

    static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
