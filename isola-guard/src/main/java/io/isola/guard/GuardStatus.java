package io.isola.guard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a running guard says about itself, written to {@code STATE/guard/status} every second so that
 * {@code isola guard status} can read it without talking to the guard.
 *
 * @param clean opens of files with no evidence against them
 * @param callers opens of untrusted files by cells, Isola itself or allowed programs
 * @param denied opens refused
 * @param overload requests answered by {@code on-overload} because they could not be judged in time
 * @param lookups judgements asked of the verdict cache; {@code hits} of them found there
 */
public record GuardStatus(
        long pid,
        String since,
        List<String> watching,
        long clean,
        long callers,
        long denied,
        long overload,
        long lookups,
        long hits,
        long marked,
        long recorded,
        long dropped) {
    public double hitRate() {
        return lookups == 0 ? 0 : (double) hits / lookups;
    }

    void write(Path file) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("pid", Long.toString(pid));
        m.put("since", since);
        m.put("watching", String.join(":", watching));
        m.put("clean", Long.toString(clean));
        m.put("callers", Long.toString(callers));
        m.put("denied", Long.toString(denied));
        m.put("overload", Long.toString(overload));
        m.put("lookups", Long.toString(lookups));
        m.put("hits", Long.toString(hits));
        m.put("marked", Long.toString(marked));
        m.put("recorded", Long.toString(recorded));
        m.put("dropped", Long.toString(dropped));
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, b, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The last status a guard wrote under {@code stateDir}, or null when none ever ran there. */
    public static GuardStatus read(Path stateDir) throws IOException {
        Path file = file(stateDir);
        if (!Files.exists(file)) {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return new GuardStatus(
                n(m, "pid"),
                m.getOrDefault("since", "?"),
                m.getOrDefault("watching", "").isEmpty()
                        ? List.of()
                        : Arrays.asList(m.get("watching").split(":")),
                n(m, "clean"),
                n(m, "callers"),
                n(m, "denied"),
                n(m, "overload"),
                n(m, "lookups"),
                n(m, "hits"),
                n(m, "marked"),
                n(m, "recorded"),
                n(m, "dropped"));
    }

    /** Whether the guard that wrote this still runs. */
    public boolean running() {
        return ProcessHandle.of(pid)
                .map(p -> p.info().command().orElse("").contains("java"))
                .orElse(false);
    }

    static Path file(Path stateDir) {
        return stateDir.resolve("guard").resolve("status");
    }

    private static long n(Map<String, String> m, String k) {
        try {
            return Long.parseLong(m.getOrDefault(k, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
