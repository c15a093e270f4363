package io.isola.core.policy;

import io.isola.core.Limits;
import io.isola.core.Quantities;
import io.isola.core.OutputQuota;
import io.isola.core.trust.TrustLevel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Reads a policy from TOML and checks it whole: syntax, unknown keys, wrong types, rules that could never match,
 * and rules that would trust far more than their author can have meant. Every problem is a {@link PolicyException}
 * naming the line. The commented example in {@code examples/policy.toml} documents every key.
 */
public final class PolicyFile {
    private static final Set<String> TOP_KEYS = Set.of("version", "rule", "level", "network");
    private static final Set<String> RULE_KEYS = Set.of("name", "trust", "origins", "directories", "types");
    private static final Set<String> LEVEL_KEYS = Set.of("engine", "image", "persistence", "memory", "pids", "cpus",
            "cpu-time", "timeout", "disk", "output-files", "output-bytes", "handlers", "network");
    private static final Set<String> ENGINES = Set.of("sandbox", "vm");
    /** Places where anyone can drop a file: trusting them, or a directory above them, trusts everyone. */
    private static final List<Path> SHARED_DIRS = List.of(Path.of("/tmp"), Path.of("/var/tmp"), Path.of("/dev/shm"),
            Path.of("/var/mail"));

    private final String source;
    private final Path home;

    private PolicyFile(String source, Path home) {
        this.source = source;
        this.home = home;
    }

    /** The policy Isola uses when none is configured: nothing is trusted. */
    public static Policy builtIn(Path home) {
        try (InputStream in = PolicyFile.class.getResourceAsStream("default-policy.toml")) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in policy", home);
        } catch (IOException e) {
            throw new IllegalStateException("the built-in policy is missing from the jar", e);
        }
    }

    /**
     * The most a policy file may hold. Real policies are a few KiB; the cap keeps an endless or huge file (a device,
     * a FIFO fed forever, a sparse file) from filling memory. Whoever reads the file must stop at this size.
     */
    public static final int MAX_BYTES = 1 << 20;

    /**
     * A policy from the bytes of a file, read by the caller (the command line reads it through a bounded,
     * non-blocking open that refuses anything but a regular file).
     */
    public static Policy fromBytes(byte[] content, String source, Path home) {
        if (content.length > MAX_BYTES) {
            throw new PolicyException(source, 0, "larger than 1 MiB: " + WHAT_TO_GIVE);
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(content)).toString();
            return parse(text, source, home);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new PolicyException(source, 0, "not UTF-8 text: save the policy as UTF-8");
        }
    }

    /** What to do when the named policy file is not one: completes "PATH: what is wrong: ...". */
    public static final String WHAT_TO_GIVE = "name a policy file instead (TOML text, at most 1 MiB)";

    /** @param home what {@code ~} means in directories: the home of the person using Isola */
    public static Policy parse(String text, String source, Path home) {
        return new PolicyFile(source, home).read(text);
    }

    private Policy read(String text) {
        TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors()) {
            TomlParseError e = toml.errors().get(0);
            throw new PolicyException(source, e.position().line(), "not valid TOML: " + e.getMessage()
                    .replaceAll(" \\(line \\d+, column \\d+\\)$", ""));
        }
        unknownKeys(toml, TOP_KEYS, "the top level");
        Object version = toml.get(List.of("version"));
        if (version != null && !Long.valueOf(1).equals(version)) {
            throw fail(toml, "version", "version must be 1 (this Isola reads policy version 1)");
        }
        List<Rule> rules = rules(toml);
        Map<TrustLevel, LevelSettings> levels = levels(toml);
        List<PolicyException> networkErrors = new ArrayList<>(); // NetworkSection collects them all
        NetworkRules network = NetworkSection.parse(toml, source, networkErrors);
        if (!networkErrors.isEmpty()) {
            throw networkErrors.get(0);
        }
        return new Policy(source, rules, levels, network);
    }

    private List<Rule> rules(TomlParseResult toml) {
        Object r = toml.get(List.of("rule"));
        if (r == null) {
            return List.of();
        }
        if (!(r instanceof TomlArray array) || !all(array, TomlTable.class)) {
            throw fail(toml, "rule", "rules are written as [[rule]] tables");
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            TomlTable t = array.getTable(i);
            int line = array.inputPositionOf(i).line();
            unknownKeys(t, RULE_KEYS, "[[rule]]");
            String name = string(t, "name", "rule " + (i + 1));
            String trustWord = string(t, "trust", null);
            if (trustWord == null) {
                throw new PolicyException(source, line, "rule '" + name + "' has no trust: add trust = \"trusted\" "
                        + "or \"untrusted\"");
            }
            TrustLevel trust = TrustLevel.parse(trustWord);
            if (trust == null) {
                throw fail(t, "trust", "trust must be \"trusted\" or \"untrusted\", not \"" + trustWord + "\"");
            }
            List<OriginPattern> origins = new ArrayList<>();
            for (String o : strings(t, "origins")) {
                try {
                    origins.add(OriginPattern.parse(o));
                } catch (IllegalArgumentException e) {
                    throw fail(t, "origins", e.getMessage());
                }
            }
            List<Path> dirs = new ArrayList<>();
            for (String d : strings(t, "directories")) {
                dirs.add(directory(t, d));
            }
            List<String> types = strings(t, "types");
            for (String ty : types) {
                if (!ty.equals("*") && !ty.matches("[a-z0-9.+-]+/([a-z0-9.+-]+|\\*)")) {
                    throw fail(t, "types", "'" + ty + "' is not a MIME type: use e.g. application/pdf or text/*");
                }
            }
            Rule rule = new Rule(name, line, trust, origins, dirs, types);
            check(rule);
            for (Rule earlier : rules) {
                if (sameConditions(earlier, rule)) {
                    throw new PolicyException(source, line, "rule '" + name + "' can never match: rule '"
                            + earlier.name() + "' (line " + earlier.line() + ") has the same conditions"
                            + (earlier.trust() != trust ? " and gives the opposite trust" : "")
                            + "; remove one of them");
                }
            }
            rules.add(rule);
        }
        return rules;
    }

    /** Refuses rules that would trust far more than anyone means to, so the untrusted default cannot slip. */
    private void check(Rule r) {
        if (r.origins().isEmpty() && r.directories().isEmpty() && r.types().isEmpty()) {
            throw new PolicyException(source, r.line(), "rule '" + r.name() + "' matches everything: name the "
                    + "origins, directories or types it is about (anything no rule names is untrusted already)");
        }
        if (r.trust() != TrustLevel.TRUSTED) {
            return;
        }
        if (r.origins().isEmpty() && r.directories().isEmpty()) {
            throw new PolicyException(source, r.line(), "rule '" + r.name() + "' trusts a file type wherever it "
                    + "comes from, downloads included: add the directories or origins it is trusted from");
        }
        if (r.types().contains("*") && r.origins().isEmpty() && r.directories().isEmpty()) {
            throw new PolicyException(source, r.line(), "rule '" + r.name() + "' trusts every type everywhere");
        }
        Path realHome = home;
        try {
            realHome = home.toRealPath(); // directories are real paths: compare them with the real home too
        } catch (IOException e) {
            // a home that does not exist yet is only its name
        }
        for (Path d : r.directories()) {
            // the home or a directory above it holds the downloads; a directory above /tmp holds /tmp
            boolean holdsHome = d.getNameCount() > 0 && (home.startsWith(d) || realHome.startsWith(d));
            if (d.getNameCount() == 0 || holdsHome || SHARED_DIRS.stream().anyMatch(s -> s.startsWith(d))
                    || !SecurePath.isSecure(d, realHome)) {
                throw new PolicyException(source, r.line(), "rule '" + r.name() + "' trusts " + d + ", where "
                        + (holdsHome ? "your downloads and mail attachments land too"
                                : "anyone can put files") + ": name the directories you really trust");
            }
        }
    }

    private static boolean sameConditions(Rule a, Rule b) {
        return Set.copyOf(a.origins().stream().map(OriginPattern::text).toList())
                .equals(Set.copyOf(b.origins().stream().map(OriginPattern::text).toList()))
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
            throw fail(t, "directories", "'" + d + "' must be absolute or start with ~/");
        }
        p = p.normalize();
        try {
            return p.toRealPath(); // a rule about a symlink means the place it points to, as files are matched there
        } catch (IOException e) {
            return p;
        }
    }

    private Map<TrustLevel, LevelSettings> levels(TomlParseResult toml) {
        Map<TrustLevel, LevelSettings> levels = new EnumMap<>(TrustLevel.class);
        Object l = toml.get(List.of("level"));
        if (l != null && !(l instanceof TomlTable)) {
            throw fail(toml, "level", "levels are written as [level.untrusted] and [level.trusted] tables");
        }
        TomlTable all = (TomlTable) l;
        if (all != null) {
            for (String k : all.keySet()) {
                if (TrustLevel.parse(k) == null) {
                    throw fail(all, k, "unknown trust level '" + k + "': the levels are trusted and untrusted");
                }
            }
        }
        for (TrustLevel t : TrustLevel.values()) {
            Object o = all == null ? null : all.get(List.of(t.word()));
            if (o != null && !(o instanceof TomlTable)) {
                throw fail(all, t.word(), "[level." + t.word() + "] must be a table");
            }
            levels.put(t, level(t, (TomlTable) o));
        }
        return levels;
    }

    private LevelSettings level(TrustLevel t, TomlTable table) {
        TomlTable s = table == null ? Toml.parse("") : table;
        String where = "[level." + t.word() + "]";
        unknownKeys(s, LEVEL_KEYS, where);
        String engine = string(s, "engine", "sandbox");
        if (!ENGINES.contains(engine)) {
            throw fail(s, "engine", "unknown engine '" + engine + "': use sandbox or vm");
        }
        String image = string(s, "image", "host");
        String pw = string(s, "persistence", t == TrustLevel.TRUSTED ? "new-version" : "discard");
        Persistence persistence = Persistence.parse(pw);
        if (persistence == null) {
            throw fail(s, "persistence", "persistence must be discard, quarantine or new-version, not '" + pw + "'");
        }
        Limits d = Limits.DEFAULT;
        Limits limits = new Limits(atLeast(s, "memory", size(s, "memory", d.memoryBytes()), Limits::requireMemory),
                (int) atLeast(s, "pids", number(s, "pids", d.maxPids()), n -> Limits.requirePids((int) n)),
                decimal(s, "cpus", d.cpus()), duration(s, "cpu-time"), duration(s, "timeout"),
                atLeast(s, "disk", size(s, "disk", d.diskBytes()), Limits::requireDisk));
        OutputQuota q = OutputQuota.DEFAULT;
        OutputQuota quota = new OutputQuota((int) number(s, "output-files", q.maxFiles()),
                size(s, "output-bytes", q.maxBytes()), q.maxDepth());
        return new LevelSettings(engine, image, persistence, limits, quota, handlers(s, where));
    }

    private Map<String, List<String>> handlers(TomlTable s, String where) {
        Map<String, List<String>> handlers = new LinkedHashMap<>();
        Object h = s.get(List.of("handlers"));
        if (h == null) {
            return handlers;
        }
        if (!(h instanceof TomlTable table)) {
            throw fail(s, "handlers", "handlers must be a table: [level.NAME.handlers] with \"type\" = [\"cmd\", …]");
        }
        for (String type : table.keySet()) {
            if (!type.equals("*") && !type.matches("[a-z0-9.+-]+/([a-z0-9.+-]+|\\*)")) {
                throw fail(table, type, "'" + type + "' is not a MIME type: use e.g. application/pdf, text/* or *");
            }
            List<String> argv = strings(table, type);
            if (argv.isEmpty()) {
                throw fail(table, type, "the handler for " + type + " is empty: give the command and its arguments");
            }
            handlers.put(type, argv);
        }
        return handlers;
    }

    private void unknownKeys(TomlTable t, Set<String> known, String where) {
        for (String k : t.keySet()) {
            if (!known.contains(k)) {
                throw fail(t, k, "unknown key '" + k + "' in " + where + " (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private String string(TomlTable t, String key, String dflt) {
        Object v = t.get(List.of(key));
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof String s)) {
            throw fail(t, key, key + " must be a string in quotes");
        }
        return s;
    }

    private List<String> strings(TomlTable t, String key) {
        Object v = t.get(List.of(key));
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof TomlArray a) || !all(a, String.class)) {
            throw fail(t, key, key + " must be a list of strings, e.g. [\"a\", \"b\"]");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            out.add(a.getString(i));
        }
        return out;
    }

    private long size(TomlTable t, String key, long dflt) {
        String v = string(t, key, null);
        try {
            return v == null ? dflt : Quantities.bytes(v);
        } catch (IllegalArgumentException e) {
            throw fail(t, key, key + " " + e.getMessage());
        }
    }

    /** A value checked against its floor ({@code Limits::requireMemory}…), refused with the key's line. */
    private long atLeast(TomlTable t, String key, long value, java.util.function.LongUnaryOperator floor) {
        try {
            return floor.applyAsLong(value);
        } catch (IllegalArgumentException e) {
            throw fail(t, key, key + " " + e.getMessage());
        }
    }

    private java.time.Duration duration(TomlTable t, String key) {
        String v = string(t, key, null);
        try {
            return v == null ? null : Quantities.duration(v);
        } catch (IllegalArgumentException e) {
            throw fail(t, key, key + " " + e.getMessage());
        }
    }

    private long number(TomlTable t, String key, long dflt) {
        Object v = t.get(List.of(key));
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Long n) || n <= 0 || n > Integer.MAX_VALUE) {
            throw fail(t, key, key + " must be a positive whole number");
        }
        return n;
    }

    private double decimal(TomlTable t, String key, double dflt) {
        Object v = t.get(List.of(key));
        if (v == null) {
            return dflt;
        }
        double d = v instanceof Long n ? n : v instanceof Double x ? x : -1;
        if (d < 0 || !Double.isFinite(d)) {
            throw fail(t, key, key + " must be a number, e.g. 0.5 or 2");
        }
        if (d != 0 && d < 0.01) { // else Limits refuses it without the line, naming the command line's --cpus
            throw fail(t, key, key + " must be 0 (no cap) or at least 0.01, the kernel's smallest share");
        }
        return d;
    }

    private static boolean all(TomlArray a, Class<?> type) {
        for (int i = 0; i < a.size(); i++) {
            if (!type.isInstance(a.get(i))) {
                return false;
            }
        }
        return true;
    }

    private PolicyException fail(TomlTable t, String key, String message) {
        var pos = t.inputPositionOf(List.of(key));
        return new PolicyException(source, pos == null ? 0 : pos.line(), message);
    }
}
