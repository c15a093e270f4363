package io.isola.core.policy;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One origin a policy names: a domain ({@code example.com}), its subdomains ({@code *.example.com}) or a URL
 * pattern ({@code https://intranet.example.com/docs/*}). Matching uses the host the URL really names, as
 * {@link URI} parses it, so {@code https://trusted.com@evil.com/} is evil.com.
 */
public record OriginPattern(String text, String scheme, String host, boolean subdomains, Pattern path) {
    /** Parses {@code text}; throws {@link IllegalArgumentException} saying what is wrong. */
    public static OriginPattern parse(String text) {
        String t = text.trim();
        String scheme = null, rest = t;
        int sep = t.indexOf("://");
        if (sep >= 0) {
            scheme = t.substring(0, sep).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("origin '" + text + "' must use http or https");
            }
            rest = t.substring(sep + 3);
        }
        int slash = rest.indexOf('/');
        String host = (slash < 0 ? rest : rest.substring(0, slash)).toLowerCase(Locale.ROOT);
        String path = slash < 0 ? null : rest.substring(slash);
        boolean sub = host.startsWith("*.");
        String bare = sub ? host.substring(2) : host;
        if (bare.isEmpty() || bare.contains("*") || bare.contains("@") || !bare.matches("[a-z0-9.:\\[\\]-]+")) {
            throw new IllegalArgumentException("origin '" + text + "' needs a host name, e.g. example.com or "
                    + "*.example.com (a wildcard may only open the host name)");
        }
        if (sub && !bare.contains(".")) {
            throw new IllegalArgumentException("origin '" + text + "' trusts a whole top-level domain: name a "
                    + "domain below it");
        }
        Pattern p = path == null ? null : Pattern.compile(glob(path));
        return new OriginPattern(text, scheme, bare, sub, p);
    }

    static String glob(String s) {
        return java.util.Arrays.stream(s.split("\\*", -1)).map(Pattern::quote)
                .collect(java.util.stream.Collectors.joining(".*"));
    }

    public boolean matches(URI url) {
        if (url == null || url.getHost() == null || url.getScheme() == null) {
            return false;
        }
        String s = url.getScheme().toLowerCase(Locale.ROOT);
        if (!s.equals("http") && !s.equals("https") || scheme != null && !scheme.equals(s)) {
            return false;
        }
        String h = url.getHost().toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        boolean hostOk = subdomains ? h.endsWith("." + host) : h.equals(host);
        if (!hostOk) {
            return false;
        }
        String raw = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        // a browser resolves dot segments, percent-encoded ones too, before it asks: /docs/../admin is /admin
        String p = URI.create("http://h" + raw.replaceAll("(?i)%2e", ".")).normalize().getRawPath();
        return path == null || path.matcher(p).matches();
    }
}
