package io.isola.core.policy;

import io.isola.core.EngineNames;
import io.isola.core.Limits;
import io.isola.core.OutputQuota;
import io.isola.core.trust.TrustLevel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * The {@code [level.NAME]} tables of a policy: engine, image, limits, output quota, persistence and handlers. A
 * level that defines {@code [level.NAME.handlers]} gets exactly those (they replace the built-in ones, so what runs
 * is all in the file); a level that does not gets the built-in handlers.
 */
final class LevelReader {
    private static final Set<String> LEVEL_KEYS = Set.of(
            "engine",
            "image",
            "persistence",
            "memory",
            "pids",
            "cpus",
            "cpu-time",
            "timeout",
            "disk",
            "output-files",
            "output-bytes",
            "handlers",
            "window-handlers",
            "network");
    /** What tasks fill into a file's handler (OpenTask) and a link's (LinkTask); anything else stays literal. */
    static final List<String> FILE_PLACEHOLDERS = List.of("file", "output");

    static final List<String> LINK_PLACEHOLDERS = List.of("url", "name", "output");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_-]*)}");

    private final TomlValues values;
    private final Problems problems;
    private final Function<TrustLevel, Map<String, List<String>>> builtInHandlers;
    private final Function<TrustLevel, Map<String, List<String>>> builtInWindowHandlers;
    final List<PolicyCheck.Handler> handlerLines = new ArrayList<>();
    final Set<TrustLevel> definedHandlers = EnumSet.noneOf(TrustLevel.class);

    LevelReader(
            TomlValues values,
            Function<TrustLevel, Map<String, List<String>>> builtInHandlers,
            Function<TrustLevel, Map<String, List<String>>> builtInWindowHandlers) {
        this.values = values;
        this.problems = values.problems();
        this.builtInHandlers = builtInHandlers;
        this.builtInWindowHandlers = builtInWindowHandlers;
    }

    Map<TrustLevel, LevelSettings> levels(TomlParseResult toml) {
        Map<TrustLevel, LevelSettings> levels = new EnumMap<>(TrustLevel.class);
        Object l = toml.get(List.of("level"));
        TomlTable all = null;
        if (l instanceof TomlTable table) {
            all = table;
            for (String k : all.keySet()) {
                if (TrustLevel.parse(k) == null) {
                    problems.add(all, k, "unknown trust level '" + k + "': the levels are trusted and untrusted");
                }
            }
        } else if (l != null) {
            problems.add(toml, "level", "levels are written as [level.untrusted] and [level.trusted] tables");
        }
        for (TrustLevel t : TrustLevel.values()) {
            Object o = all == null ? null : all.get(List.of(t.word()));
            if (o != null && !(o instanceof TomlTable)) {
                problems.add(all, t.word(), "[level." + t.word() + "] must be a table");
                o = null;
            }
            levels.put(t, level(t, (TomlTable) o));
        }
        return levels;
    }

    private LevelSettings level(TrustLevel t, TomlTable table) {
        TomlTable s = table == null ? Toml.parse("") : table;
        String where = "[level." + t.word() + "]";
        values.unknownKeys(s, LEVEL_KEYS, where);
        String engine = values.string(s, "engine", EngineNames.SANDBOX);
        if (!EngineNames.ALL.contains(engine)) {
            problems.add(s, "engine", "unknown engine '" + engine + "': use sandbox or vm");
        }
        String image = values.string(s, "image", "host");
        String pw = values.string(s, "persistence", t == TrustLevel.TRUSTED ? "new-version" : "discard");
        Persistence persistence = Persistence.parse(pw);
        if (persistence == null) {
            problems.add(s, "persistence", "persistence must be discard, quarantine or new-version, not '" + pw + "'");
            persistence = Persistence.DISCARD;
        }
        Limits d = Limits.DEFAULT;
        long memory = values.atLeast(
                s, "memory", values.size(s, "memory", d.memoryBytes()), Limits::requireMemory, d.memoryBytes());
        long pids = values.atLeast(
                s, "pids", values.number(s, "pids", d.maxPids()), n -> Limits.requirePids((int) n), d.maxPids());
        long disk =
                values.atLeast(s, "disk", values.size(s, "disk", d.diskBytes()), Limits::requireDisk, d.diskBytes());
        Limits limits = new Limits(
                memory,
                (int) pids,
                values.decimal(s, "cpus", d.cpus()),
                values.duration(s, "cpu-time"),
                values.duration(s, "timeout"),
                disk);
        OutputQuota q = OutputQuota.DEFAULT;
        OutputQuota quota = new OutputQuota(
                (int) values.number(s, "output-files", q.maxFiles()),
                values.size(s, "output-bytes", q.maxBytes()),
                q.maxDepth());
        return new LevelSettings(
                engine, image, persistence, limits, quota, handlers(t, s, false), handlers(t, s, true));
    }

    /**
     * {@code [level.NAME.handlers]}, or with {@code window} {@code [level.NAME.window-handlers]}: the same form, the
     * same placeholders, and the built-in table where the level has none.
     */
    private Map<String, List<String>> handlers(TrustLevel level, TomlTable s, boolean window) {
        String key = window ? "window-handlers" : "handlers";
        Object h = s.get(List.of(key));
        if (h == null) {
            return (window ? builtInWindowHandlers : builtInHandlers).apply(level);
        }
        if (!window) {
            definedHandlers.add(level);
        }
        Map<String, List<String>> handlers = new LinkedHashMap<>();
        if (!(h instanceof TomlTable table)) {
            problems.add(s, key, key + " must be a table: [level.NAME." + key + "] with \"type\" = [\"cmd\", …]");
            return handlers;
        }
        for (String type : table.keySet()) {
            if (!type.equals("*") && !type.matches(RuleReader.MIME)) {
                problems.add(table, type, "'" + type + "' is not a MIME type: use e.g. application/pdf, text/* or *");
                continue;
            }
            List<String> argv = values.strings(table, type); // records a value that is no list of strings
            if (argv.isEmpty()) {
                if (table.get(List.of(type)) instanceof TomlArray a && a.isEmpty()) {
                    problems.add(
                            table,
                            type,
                            "the handler for " + type + " is empty: give the command and its " + "arguments");
                }
                continue;
            }
            placeholders(table, type, argv);
            handlers.put(type, argv);
            var pos = table.inputPositionOf(List.of(type));
            handlerLines.add(new PolicyCheck.Handler(level, type, argv, pos == null ? 0 : pos.line(), window));
        }
        return handlers;
    }

    /** A misspelt placeholder ({@code {fil}}) would reach the program as literal text: refuse it here. */
    private void placeholders(TomlTable table, String type, List<String> argv) {
        boolean link = type.startsWith("x-scheme-handler/");
        List<String> known = link ? LINK_PLACEHOLDERS : FILE_PLACEHOLDERS;
        for (String a : argv) {
            Matcher m = PLACEHOLDER.matcher(a);
            while (m.find()) {
                if (!known.contains(m.group(1))) {
                    problems.add(
                            table,
                            type,
                            "the handler for " + type + " uses " + m.group() + ", which Isola "
                                    + "does not fill in for " + (link ? "a link" : "a file") + ": use "
                                    + (link ? "{url}, {name} or {output}" : "{file} or {output}")
                                    + (link ? "" : " (links' handlers, x-scheme-handler/..., get {url} and {name})"));
                }
            }
        }
    }
}
