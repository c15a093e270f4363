package io.isola.core.policy;

import io.isola.core.trust.TrustLevel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * The {@code [[rule]]} tables of a policy: each checked for wrong values, for conditions that could never match and
 * for trusting far more than its author can have meant. A rule with an error is left out, and the next is read.
 */
final class RuleReader {
    private static final Set<String> RULE_KEYS = Set.of("name", "trust", "origins", "directories", "types");
    /** Places where anyone can drop a file: trusting them, or a directory above them, trusts everyone. */
    private static final List<Path> SHARED_DIRS =
            List.of(Path.of("/tmp"), Path.of("/var/tmp"), Path.of("/dev/shm"), Path.of("/var/mail"));

    static final String MIME = "[a-z0-9.+-]+/([a-z0-9.+-]+|\\*)";

    private final TomlValues values;
    private final Problems problems;
    private final Path home;

    RuleReader(TomlValues values, Path home) {
        this.values = values;
        this.problems = values.problems();
        this.home = home;
    }

    List<Rule> rules(TomlParseResult toml) {
        Object r = toml.get(List.of("rule"));
        if (r == null) {
            return List.of();
        }
        if (!(r instanceof TomlArray array) || !TomlValues.all(array, TomlTable.class)) {
            problems.add(toml, "rule", "rules are written as [[rule]] tables");
            return List.of();
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            Rule rule = rule(array.getTable(i), array.inputPositionOf(i).line(), i);
            if (rule != null && distinct(rule, rules)) {
                rules.add(rule);
            }
        }
        return rules;
    }

    /** One rule, or null when it has an error (already recorded). */
    private Rule rule(TomlTable t, int line, int index) {
        int before = problems.size();
        values.unknownKeys(t, RULE_KEYS, "[[rule]]");
        String name = values.string(t, "name", "rule " + (index + 1));
        String trustWord = values.string(t, "trust", null);
        TrustLevel trust = trustWord == null ? null : TrustLevel.parse(trustWord);
        if (trustWord == null && !t.contains(List.of("trust"))) {
            problems.add(line, "rule '" + name + "' has no trust: add trust = \"trusted\" or \"untrusted\"");
        } else if (trustWord != null && trust == null) {
            problems.add(t, "trust", "trust must be \"trusted\" or \"untrusted\", not \"" + trustWord + "\"");
        }
        List<OriginPattern> origins = new ArrayList<>();
        for (String o : values.strings(t, "origins")) {
            try {
                origins.add(OriginPattern.parse(o));
            } catch (IllegalArgumentException e) {
                problems.add(t, "origins", e.getMessage());
            }
        }
        List<Path> dirs = new ArrayList<>();
        for (String d : values.strings(t, "directories")) {
            Path p = directory(t, d);
            if (p != null) {
                dirs.add(p);
            }
        }
        List<String> types = values.strings(t, "types");
        for (String ty : types) {
            if (!ty.equals("*") && !ty.matches(MIME)) {
                problems.add(t, "types", "'" + ty + "' is not a MIME type: use e.g. application/pdf or text/*");
            }
        }
        if (problems.size() > before) {
            return null;
        }
        Rule rule = new Rule(name, line, trust, origins, dirs, types);
        return check(rule) ? rule : null;
    }

    private boolean distinct(Rule rule, List<Rule> earlierRules) {
        for (Rule earlier : earlierRules) {
            if (sameConditions(earlier, rule)) {
                problems.add(
                        rule.line(),
                        "rule '" + rule.name() + "' can never match: rule '" + earlier.name()
                                + "' (line " + earlier.line() + ") has the same conditions"
                                + (earlier.trust() != rule.trust() ? " and gives the opposite trust" : "")
                                + "; remove one of them");
                return false;
            }
        }
        return true;
    }

    /** Refuses rules that would trust far more than anyone means to, so the untrusted default cannot slip. */
    private boolean check(Rule r) {
        if (r.origins().isEmpty() && r.directories().isEmpty() && r.types().isEmpty()) {
            problems.add(
                    r.line(),
                    "rule '" + r.name() + "' matches everything: name the origins, directories or "
                            + "types it is about (anything no rule names is untrusted already)");
            return false;
        }
        if (r.trust() != TrustLevel.TRUSTED) {
            return true;
        }
        if (r.origins().isEmpty() && r.directories().isEmpty()) {
            problems.add(
                    r.line(),
                    "rule '" + r.name() + "' trusts a file type wherever it comes from, downloads "
                            + "included: add the directories or origins it is trusted from");
            return false;
        }
        Path realHome = home;
        try {
            realHome = home.toRealPath(); // directories are real paths: compare them with the real home too
        } catch (IOException e) {
            // a home that does not exist yet is only its name
        }
        boolean ok = true;
        for (Path d : r.directories()) {
            // the home or a directory above it holds the downloads; a directory above /tmp holds /tmp
            boolean holdsHome = d.getNameCount() > 0 && (home.startsWith(d) || realHome.startsWith(d));
            if (d.getNameCount() == 0
                    || holdsHome
                    || SHARED_DIRS.stream().anyMatch(s -> s.startsWith(d))
                    || !SecurePath.isSecure(d, realHome)) {
                problems.add(
                        r.line(),
                        "rule '" + r.name() + "' trusts " + d + ", where "
                                + (holdsHome ? "your downloads and mail attachments land too" : "anyone can put files")
                                + ": name the directories you really trust");
                ok = false;
            }
        }
        return ok;
    }

    private static boolean sameConditions(Rule a, Rule b) {
        return Set.copyOf(a.origins().stream().map(OriginPattern::text).toList())
                        .equals(Set.copyOf(
                                b.origins().stream().map(OriginPattern::text).toList()))
                && Set.copyOf(a.directories()).equals(Set.copyOf(b.directories()))
                && Set.copyOf(a.types()).equals(Set.copyOf(b.types()));
    }

    private Path directory(TomlTable t, String d) {
        Path p;
        if (d.equals("~") || d.startsWith("~/")) {
            p = home.resolve(d.equals("~") ? "" : d.substring(2));
        } else if (d.startsWith("/")) {
            p = Path.of(d);
        } else {
            problems.add(t, "directories", "'" + d + "' must be absolute or start with ~/");
            return null;
        }
        p = p.normalize();
        try {
            return p.toRealPath(); // a rule about a symlink means the place it points to, as files are matched there
        } catch (IOException e) {
            return p;
        }
    }
}
