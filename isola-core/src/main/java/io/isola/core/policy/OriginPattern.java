package io.isola.core.policy;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One origin a policy names: a domain ({@code example.com}), its subdomains ({@code *.example.com}) or a URL
 * pattern ({@code https://intranet.example.com/docs/*}), each optionally with a port ({@code https://host:8443/*}).
 * A URL is matched as its server would read it ({@link CanonicalUrl}): the host its authority really names, so
 * {@code https://trusted.com@evil.com/} never matches trusted.com; the port it really uses, so a pattern without a
 * port matches only the scheme's default one; and its path decoded once with dot segments removed, so
 * {@code /docs/%2E%2E/admin} is {@code /admin}. URLs servers could read in more than one way never match.
 *
 * @param port the port the pattern names, or null for the scheme's default (80 for http, 443 for https)
 * @param path the path glob ({@code *} is anything), or null for any path
 */
public record OriginPattern(String text, String scheme, String host, boolean subdomains, Integer port, Pattern path) {
    /** Parses {@code text}; throws {@link IllegalArgumentException} saying what is wrong and what to write. */
    public static OriginPattern parse(String text) {
        String t = text.trim();
        String scheme = null, rest = t;
        int sep = t.indexOf("://");
        if (sep >= 0) {
            scheme = t.substring(0, sep).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw bad(text, "must use http or https");
            }
            rest = t.substring(sep + 3);
        }
        if (rest.contains("?") || rest.contains("#")) {
            throw bad(
                    text,
                    "has a query or fragment: a pattern names a host and a path, e.g. " + "https://example.com/docs/*");
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String pathText = slash < 0 ? null : rest.substring(slash);
        if (authority.contains("@")) {
            throw bad(text, "needs a host name without user@ before it, e.g. example.com or *.example.com");
        }
        boolean sub = authority.startsWith("*.");
        String hostPort = sub ? authority.substring(2) : authority;
        Integer port = null;
        int close = hostPort.startsWith("[") ? hostPort.indexOf(']') : -1;
        int colon = hostPort.indexOf(':', Math.max(close, 0));
        if (colon >= 0) {
            String p = hostPort.substring(colon + 1);
            if (p.isEmpty()) {
                throw bad(text, "has a ':' without a port: write the port (host:8443) or leave the ':' out");
            }
            try {
                port = CanonicalUrl.port(p);
            } catch (IllegalArgumentException e) {
                throw bad(text, "has port '" + p + "', which cannot be: a port is a number from 1 to 65535");
            }
            hostPort = hostPort.substring(0, colon);
        }
        String host = host(text, hostPort);
        if (sub && !host.contains(".")) {
            throw bad(text, "trusts a whole top-level domain: name a domain below it");
        }
        return new OriginPattern(text, scheme, host, sub, port, pathText == null ? null : path(text, pathText));
    }

    private static String host(String text, String bare) {
        if (bare.isEmpty() || bare.contains("*") || (bare.startsWith("[") && !bare.endsWith("]"))) {
            throw bad(
                    text,
                    "needs a host name, e.g. example.com or *.example.com (a wildcard may only open the "
                            + "host name)");
        }
        try {
            return CanonicalUrl.host(bare);
        } catch (IllegalArgumentException e) {
            throw bad(text, "needs a host name, e.g. example.com or *.example.com: " + e.getMessage());
        }
    }

    /** URLs are matched decoded and without dot segments, so a pattern must be written that way too. */
    private static Pattern path(String text, String p) {
        boolean dotSegment = java.util.Arrays.stream(p.split("/", -1)).anyMatch(s -> s.equals(".") || s.equals(".."));
        if (p.contains("%") || p.contains("\\") || p.contains("//") || dotSegment) {
            throw bad(
                    text,
                    "has %-escapes, dot segments, // or \\ in its path: URLs are matched decoded and with "
                            + "dot segments resolved, so write the path as a browser shows it, e.g. /my docs/*");
        }
        return Pattern.compile(glob(p));
    }

    private static IllegalArgumentException bad(String text, String what) {
        return new IllegalArgumentException("origin '" + text + "' " + what);
    }

    static String glob(String s) {
        return java.util.Arrays.stream(s.split("\\*", -1))
                .map(Pattern::quote)
                .collect(java.util.stream.Collectors.joining(".*"));
    }

    /** Whether {@code url} is this origin; a URL that is not http(s) or that {@link CanonicalUrl} refuses never is. */
    public boolean matches(URI url) {
        try {
            return url != null && matches(CanonicalUrl.of(url));
        } catch (IllegalArgumentException refused) {
            return false;
        }
    }

    public boolean matches(CanonicalUrl url) {
        if (scheme != null && !scheme.equals(url.scheme())) {
            return false;
        }
        int wanted = port != null ? port : CanonicalUrl.defaultPort(url.scheme());
        if (url.port() != wanted) {
            return false;
        }
        boolean hostOk =
                subdomains ? url.host().endsWith("." + host) : url.host().equals(host);
        return hostOk && (path == null || path.matcher(url.path()).matches());
    }
}
