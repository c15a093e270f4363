package io.isola.core.policy;

import io.isola.core.trust.TrustLevel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;

/**
 * Reads a policy from TOML and checks it whole: syntax, unknown keys, wrong types, rules that could never match,
 * rules that would trust far more than their author can have meant, and handlers whose placeholders Isola does not
 * fill in. Reading goes on past an error, so {@link #check} lists every one, each naming its line; {@link #load}
 * and {@link #parse} throw the first as a {@link PolicyException}. {@link RuleReader} reads the rules and
 * {@link LevelReader} the levels; the commented example in {@code examples/policy.toml} documents every key.
 */
public final class PolicyFile {
    private static final Set<String> TOP_KEYS = Set.of("version", "rule", "level", "network", "guard");
    private static final String BUILT_IN = "built-in policy";
    /**
     * The built-in policy, read once: its levels' tables are what a level without [level.NAME.handlers] or
     * [level.NAME.window-handlers] gets.
     */
    private static volatile Policy builtInDefaults;

    private PolicyFile() {}

    /** The policy Isola uses when none is configured: nothing is trusted. */
    public static Policy builtIn(Path home) {
        return checkBuiltIn(home).orThrow();
    }

    /** The built-in policy, read like a file (its source is "built-in policy"). */
    public static PolicyCheck checkBuiltIn(Path home) {
        try (InputStream in = PolicyFile.class.getResourceAsStream("default-policy.toml")) {
            return read(
                    new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    BUILT_IN,
                    home,
                    t -> Map.of(),
                    t -> Map.of());
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
        return checkBytes(content, source, home).orThrow();
    }

    /** Every error of a policy file whose bytes the caller read; see {@link #fromBytes}. */
    public static PolicyCheck checkBytes(byte[] content, String source, Path home) {
        if (content.length > MAX_BYTES) {
            throw new PolicyException(source, 0, "larger than 1 MiB: " + WHAT_TO_GIVE);
        }
        try {
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(content))
                    .toString();
            return check(text, source, home);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new PolicyException(source, 0, "not UTF-8 text: save the policy as UTF-8");
        }
    }

    /** What to do when the named policy file is not one: completes "PATH: what is wrong: ...". */
    public static final String WHAT_TO_GIVE = "name a policy file instead (TOML text, at most 1 MiB)";

    /** @param home what {@code ~} means in directories: the home of the person using Isola */
    public static Policy parse(String text, String source, Path home) {
        return check(text, source, home).orThrow();
    }

    public static PolicyCheck check(String text, String source, Path home) {
        return read(text, source, home, PolicyFile::builtInHandlers, PolicyFile::builtInWindowHandlers);
    }

    private static PolicyCheck read(
            String text,
            String source,
            Path home,
            Function<TrustLevel, Map<String, List<String>>> defaultHandlers,
            Function<TrustLevel, Map<String, List<String>>> defaultWindowHandlers) {
        Problems problems = new Problems(source);
        TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors()) {
            // what follows a syntax error is read in ways its author did not write: report only the syntax
            for (TomlParseError e : toml.errors()) {
                problems.add(
                        e.position().line(),
                        "not valid TOML: " + e.getMessage().replaceAll(" \\(line \\d+, column \\d+\\)$", ""));
            }
            return new PolicyCheck(
                    source, new Policy(source, List.of(), Map.of()), problems.list(), List.of(), Set.of());
        }
        TomlValues values = new TomlValues(problems);
        values.unknownKeys(toml, TOP_KEYS, "the top level");
        Object version = toml.get(List.of("version"));
        if (version != null && !Long.valueOf(1).equals(version)) {
            problems.add(toml, "version", "version must be 1 (this Isola reads policy version 1)");
        }
        List<Rule> rules = new RuleReader(values, home).rules(toml);
        LevelReader levels = new LevelReader(values, defaultHandlers, defaultWindowHandlers);
        var settings = levels.levels(toml);
        List<PolicyException> networkErrors = new java.util.ArrayList<>(); // NetworkSection collects them all
        NetworkRules network = NetworkSection.parse(toml, source, networkErrors);
        for (PolicyException e : networkErrors) {
            problems.add(e.line(), e.what());
        }
        GuardRules guard = GuardRules.NONE;
        try {
            guard = GuardSection.parse(toml, source, home);
        } catch (PolicyException e) {
            problems.add(e.line(), e.what());
        }
        return new PolicyCheck(
                source,
                new Policy(source, rules, settings, network, guard),
                problems.list(),
                levels.handlerLines,
                levels.definedHandlers);
    }

    private static Map<String, List<String>> builtInWindowHandlers(TrustLevel level) {
        return builtInLevel(level).windowHandlers();
    }

    private static Map<String, List<String>> builtInHandlers(TrustLevel level) {
        return builtInLevel(level).handlers();
    }

    private static LevelSettings builtInLevel(TrustLevel level) {
        Policy p = builtInDefaults;
        if (p == null) {
            p = builtIn(Path.of("/"));
            builtInDefaults = p;
        }
        return p.level(level);
    }
}
