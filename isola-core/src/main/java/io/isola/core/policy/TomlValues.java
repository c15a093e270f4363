package io.isola.core.policy;

import io.isola.core.Quantities;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * Typed reads of a policy's TOML values. A value of the wrong type or form is recorded in {@link Problems} and read
 * as its default, so that reading goes on and finds the file's other errors too.
 */
final class TomlValues {
    private final Problems problems;

    TomlValues(Problems problems) {
        this.problems = problems;
    }

    Problems problems() {
        return problems;
    }

    void unknownKeys(TomlTable t, Set<String> known, String where) {
        for (String k : t.keySet()) {
            if (!known.contains(k)) {
                problems.add(
                        t,
                        k,
                        "unknown key '" + k + "' in " + where + " (known: "
                                + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    String string(TomlTable t, String key, String dflt) {
        Object v = t.get(List.of(key));
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof String s)) {
            problems.add(t, key, key + " must be a string in quotes");
            return dflt;
        }
        return s;
    }

    List<String> strings(TomlTable t, String key) {
        Object v = t.get(List.of(key));
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof TomlArray a) || !all(a, String.class)) {
            problems.add(t, key, key + " must be a list of strings, e.g. [\"a\", \"b\"]");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            out.add(a.getString(i));
        }
        return out;
    }

    long size(TomlTable t, String key, long dflt) {
        String v = string(t, key, null);
        try {
            return v == null ? dflt : Quantities.bytes(v);
        } catch (IllegalArgumentException e) {
            problems.add(t, key, key + " " + e.getMessage());
            return dflt;
        }
    }

    /**
     * A value checked against its floor ({@code Limits::requireMemory}…): refused with the key's line, and then
     * {@code dflt}, so that reading goes on to the next error.
     */
    long atLeast(TomlTable t, String key, long value, java.util.function.LongUnaryOperator floor, long dflt) {
        try {
            return floor.applyAsLong(value);
        } catch (IllegalArgumentException e) {
            problems.add(t, key, key + " " + e.getMessage());
            return dflt;
        }
    }

    Duration duration(TomlTable t, String key) {
        String v = string(t, key, null);
        try {
            return v == null ? null : Quantities.duration(v);
        } catch (IllegalArgumentException e) {
            problems.add(t, key, key + " " + e.getMessage());
            return null;
        }
    }

    long number(TomlTable t, String key, long dflt) {
        Object v = t.get(List.of(key));
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Long n) || n <= 0 || n > Integer.MAX_VALUE) {
            problems.add(t, key, key + " must be a positive whole number");
            return dflt;
        }
        return n;
    }

    double decimal(TomlTable t, String key, double dflt) {
        Object v = t.get(List.of(key));
        if (v == null) {
            return dflt;
        }
        double d = v instanceof Long n ? n : v instanceof Double x ? x : -1;
        if (d < 0 || !Double.isFinite(d)) {
            problems.add(t, key, key + " must be a number, e.g. 0.5 or 2");
            return dflt;
        }
        if (d != 0 && d < 0.01) { // else Limits refuses it without the line, naming the command line's --cpus
            problems.add(t, key, key + " must be 0 (no cap) or at least 0.01, the kernel's smallest share");
            return dflt;
        }
        return d;
    }

    static boolean all(TomlArray a, Class<?> type) {
        for (int i = 0; i < a.size(); i++) {
            if (!type.isInstance(a.get(i))) {
                return false;
            }
        }
        return true;
    }
}
