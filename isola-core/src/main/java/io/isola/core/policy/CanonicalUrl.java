package io.isola.core.policy;

import java.io.ByteArrayOutputStream;
import java.net.IDN;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * An http(s) URL as the server it names would read it, or a refusal. The host is what the authority really names
 * (IDN as ASCII, lower case, one trailing dot dropped), the port is the one really used (the scheme's default when
 * none is given), and the path is decoded once with its dot segments removed (RFC 3986 5.2.4). A URL that different
 * servers could read as different paths is refused rather than guessed at: encoded separators ({@code %2f},
 * {@code %5c}), double encoding ({@code %25}), path parameters on dot segments ({@code ..;}), empty segments,
 * control characters and bytes that are not UTF-8. So are credentials in the authority, which only serve to make a
 * link look like another host, and ports that cannot exist.
 *
 * @param port 1 to 65535, never absent
 * @param path decoded, starting with {@code /}, without dot segments
 */
public record CanonicalUrl(String scheme, String host, int port, String path) {
    /** The URL {@code url} names; throws {@link IllegalArgumentException} saying why it cannot be judged. */
    public static CanonicalUrl of(URI url) {
        if (url == null || url.getScheme() == null || url.getRawAuthority() == null) {
            throw new IllegalArgumentException("not a URL with a host");
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("not an http or https URL");
        }
        // The raw authority, not URI.getHost(): java.net.URI gives no host for IDN names, and skips a bad port.
        String authority = url.getRawAuthority();
        if (authority.contains("@")) {
            throw new IllegalArgumentException("it carries credentials before its host");
        }
        String hostText = authority, portText = null;
        int close = authority.startsWith("[") ? authority.indexOf(']') : -1;
        int colon = authority.indexOf(':', Math.max(close, 0));
        if (authority.startsWith("[") && close < 0) {
            throw new IllegalArgumentException("its IPv6 host has no closing ]");
        }
        if (colon >= 0) {
            hostText = authority.substring(0, colon);
            portText = authority.substring(colon + 1);
        }
        if (close >= 0 && close != hostText.length() - 1) {
            throw new IllegalArgumentException("text follows its IPv6 host");
        }
        int port = portText == null || portText.isEmpty() ? defaultPort(scheme) : port(portText);
        return new CanonicalUrl(scheme, host(hostText), port, path(url.getRawPath()));
    }

    public static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    /** A port as written in a URL or pattern: digits only, 1 to 65535. */
    public static int port(String text) {
        if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            throw new IllegalArgumentException(
                    "its port '" + text + "' cannot be: a port is a number from 1 to " + "65535");
        }
        return Integer.parseInt(text);
    }

    /**
     * A host name as DNS compares it: IDN labels as ASCII (punycode), lower case, and without the one trailing dot
     * that names the same host ({@code intranet.example.com.}). IPv6 literals keep their brackets.
     */
    public static String host(String text) {
        String h = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        if (h.startsWith("[") && h.endsWith("]")) {
            if (!h.matches("\\[[0-9A-Fa-f:.]+\\]")) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
            }
            return h.toLowerCase(Locale.ROOT);
        }
        if (h.isEmpty() || h.contains("%")) {
            throw new IllegalArgumentException("'" + text + "' is not a host name");
        }
        try {
            String ascii = IDN.toASCII(h, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
            if (ascii.isEmpty() || ascii.startsWith(".") || ascii.endsWith(".") || ascii.contains("..")) {
                throw new IllegalArgumentException("'" + text + "' has an empty label");
            }
            return ascii;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a host name");
        }
    }

    /** The raw path decoded once, refused where servers could disagree about it, and without dot segments. */
    static String path(String raw) {
        if (raw == null || raw.isEmpty()) {
            return "/";
        }
        if (!raw.startsWith("/")) {
            throw new IllegalArgumentException("its path is not absolute");
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        for (String encoded : new String[] {"%2f", "%5c", "%25"}) {
            if (lower.contains(encoded)) {
                throw new IllegalArgumentException("its path holds " + encoded.toUpperCase(Locale.ROOT)
                        + (encoded.equals("%25") ? ", a second layer of encoding" : ", an encoded separator"));
            }
        }
        String decoded = decode(raw);
        for (char c : decoded.toCharArray()) {
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw new IllegalArgumentException("its path holds a control character or a backslash");
            }
        }
        if (decoded.contains("//")) {
            throw new IllegalArgumentException("its path has an empty segment (//), which servers read differently");
        }
        for (String segment : decoded.split("/", -1)) {
            int semi = segment.indexOf(';');
            String bare = semi < 0 ? segment : segment.substring(0, semi);
            if (semi >= 0 && (bare.equals(".") || bare.equals(".."))) {
                throw new IllegalArgumentException("its path has a dot segment with parameters (" + segment + ")");
            }
        }
        return removeDotSegments(decoded);
    }

    /** Percent-decoding, once, of UTF-8; java.net.URI has already refused malformed escapes. */
    private static String decode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); ) {
            if (raw.charAt(i) == '%') {
                if (i + 2 >= raw.length() || !raw.substring(i + 1, i + 3).matches("[0-9A-Fa-f]{2}")) {
                    throw new IllegalArgumentException("its path has a broken percent-escape");
                }
                bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                i += 3;
            } else {
                int cp = raw.codePointAt(i);
                bytes.writeBytes(Character.toString(cp).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("its path is not UTF-8 once decoded");
        }
    }

    /** RFC 3986 5.2.4 for an absolute path: "." segments go, ".." removes the segment before it. */
    static String removeDotSegments(String path) {
        Deque<String> out = new ArrayDeque<>();
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            boolean last = i == segments.length - 1;
            if (s.equals(".") || s.equals("..")) {
                if (s.equals("..") && !out.isEmpty()) {
                    out.removeLast();
                }
                if (last) {
                    out.addLast(""); // "/a/.." is "/", "/a/b/." is "/a/b/"
                }
            } else {
                out.addLast(s);
            }
        }
        return "/" + String.join("/", out);
    }
}
