package io.isola.core.policy;

import io.isola.core.trust.TrustLevel;
import java.nio.file.Path;
import java.util.List;

/**
 * One policy rule: what it matches and the trust level it gives. A rule matches when every kind of condition it
 * names matches (any origin of its list, any directory, any type); a rule names at least one kind.
 *
 * @param line where the rule starts in its file, for messages and {@code isola policy show}
 */
public record Rule(
        String name,
        int line,
        TrustLevel trust,
        List<OriginPattern> origins,
        List<Path> directories,
        List<String> types) {
    public Rule {
        origins = List.copyOf(origins);
        directories = List.copyOf(directories);
        types = List.copyOf(types);
    }

    public boolean matches(Facts f) {
        if (!origins.isEmpty() && origins.stream().noneMatch(o -> o.matches(f.origin()))) {
            return false;
        }
        if (!directories.isEmpty()
                && (f.realPath() == null
                        || directories.stream()
                                .noneMatch(d -> f.realPath().startsWith(d)
                                        && !f.realPath().equals(d)))) {
            return false;
        }
        return types.isEmpty() || f.type() != null && types.stream().anyMatch(t -> typeMatches(t, f.type()));
    }

    /** Whether this rule looks only at origins: it can judge a link, or the origin a file was marked with. */
    public boolean onlyOrigins() {
        return !origins.isEmpty() && directories.isEmpty() && types.isEmpty();
    }

    static boolean typeMatches(String pattern, String type) {
        if (pattern.equals("*") || pattern.equals(type)) {
            return true;
        }
        return pattern.endsWith("/*") && type.startsWith(pattern.substring(0, pattern.length() - 1));
    }

    /** The rule as {@code isola policy show} prints it. */
    public String describe() {
        StringBuilder b = new StringBuilder(trust.word()).append(" if");
        if (!origins.isEmpty()) {
            b.append(" origin is ")
                    .append(String.join(
                            " or ", origins.stream().map(OriginPattern::text).toList()));
        }
        if (!directories.isEmpty()) {
            b.append(origins.isEmpty() ? "" : " and")
                    .append(" file is under ")
                    .append(String.join(
                            " or ", directories.stream().map(Path::toString).toList()));
        }
        if (!types.isEmpty()) {
            b.append(origins.isEmpty() && directories.isEmpty() ? "" : " and")
                    .append(" type is ")
                    .append(String.join(" or ", types));
        }
        return b.toString();
    }
}
