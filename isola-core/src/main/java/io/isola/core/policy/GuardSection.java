package io.isola.core.policy;

import io.isola.core.Quantities;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/** Reads the policy's {@code [guard]} section into {@link GuardRules}; every problem names its line. */
public final class GuardSection {
    private static final Set<String> KEYS = Set.of("paths", "allow", "mark", "on-overload", "answer-within");
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(10);

    private final String source;
    private final Path home;
    private final TomlTable table;

    private GuardSection(String source, Path home, TomlTable table) {
        this.source = source;
        this.home = home;
        this.table = table;
    }

    /** The {@code guard} table of a parsed policy, or {@link GuardRules#NONE} when it has none. */
    public static GuardRules parse(TomlTable policy, String source, Path home) {
        Object g = policy.get(List.of("guard"));
        if (g == null) {
            return GuardRules.NONE;
        }
        if (!(g instanceof TomlTable t)) {
            var pos = policy.inputPositionOf(List.of("guard"));
            throw new PolicyException(source, pos == null ? 0 : pos.line(), "guard is written as a [guard] table");
        }
        return new GuardSection(source, home, t).read();
    }

    private GuardRules read() {
        for (String k : table.keySet()) {
            if (!KEYS.contains(k)) {
                throw fail(
                        k,
                        "unknown key '" + k + "' in [guard] (known: "
                                + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        List<Path> paths = places("paths");
        for (Path p : paths) {
            if (p.getNameCount() == 0) {
                throw fail(
                        "paths",
                        "the guard cannot watch / as a whole: the system itself opens files there; "
                                + "name the places people keep files, e.g. [\"/home\", \"/tmp\", \"/media\"]");
            }
        }
        List<Path> allow = new ArrayList<>();
        for (String a : strings("allow")) {
            if (!a.startsWith("/")) {
                throw fail("allow", "'" + a + "' must be the absolute path of an executable, e.g. /usr/bin/restic");
            }
            allow.add(Path.of(a).normalize());
        }
        List<Path> mark = places("mark");
        String overload = table.get(List.of("on-overload")) == null ? "deny" : string("on-overload");
        if (!overload.equals("deny") && !overload.equals("allow")) {
            throw fail("on-overload", "on-overload must be \"deny\" or \"allow\", not \"" + overload + "\"");
        }
        Duration within = GuardRules.DEFAULT_ANSWER_WITHIN;
        if (table.get(List.of("answer-within")) != null) {
            try {
                within = Quantities.duration(string("answer-within"));
            } catch (IllegalArgumentException e) {
                throw fail("answer-within", "answer-within " + e.getMessage());
            }
            if (within.isZero() || within.isNegative() || within.compareTo(LONGEST_WAIT) > 0) {
                throw fail(
                        "answer-within",
                        "answer-within must be above 0 and at most 10s: every program opening "
                                + "a file waits that long at worst");
            }
        }
        return new GuardRules(paths, allow, mark, overload.equals("deny"), within);
    }

    private List<Path> places(String key) {
        List<Path> out = new ArrayList<>();
        for (String d : strings(key)) {
            if (d.equals("~") || d.startsWith("~/")) {
                out.add(home.resolve(d.equals("~") ? "" : d.substring(2)).normalize());
            } else if (d.startsWith("/")) {
                out.add(Path.of(d).normalize());
            } else {
                throw fail(key, "'" + d + "' must be absolute or start with ~/");
            }
        }
        return out;
    }

    private String string(String key) {
        if (!(table.get(List.of(key)) instanceof String s)) {
            throw fail(key, key + " must be a string in quotes");
        }
        return s;
    }

    private List<String> strings(String key) {
        Object v = table.get(List.of(key));
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (v instanceof TomlArray a) {
            for (int i = 0; i < a.size(); i++) {
                if (!(a.get(i) instanceof String s)) {
                    out = null;
                    break;
                }
                out.add(s);
            }
            if (out != null) {
                return out;
            }
        }
        throw fail(key, key + " must be a list of strings, e.g. [\"a\", \"b\"]");
    }

    private PolicyException fail(String key, String message) {
        var pos = table.inputPositionOf(List.of(key));
        return new PolicyException(source, pos == null ? 0 : pos.line(), message);
    }
}
