package io.isola.desktop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code mimeapps.list} (freedesktop MIME applications spec) as lines, changed only in its
 * {@code [Default Applications]} group: every other line, comment and group stays as the person or their desktop
 * wrote it.
 */
final class MimeApps {
    static final String DEFAULTS = "[Default Applications]";
    private final List<String> lines;

    MimeApps(String text) {
        lines = new ArrayList<>(text.isEmpty() ? List.of() : List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
    }

    /** The value of {@code type} in [Default Applications], as written ({@code a.desktop;b.desktop;}), or null. */
    String get(String type) {
        int i = find(type);
        return i < 0 ? null : lines.get(i).substring(lines.get(i).indexOf('=') + 1);
    }

    /** Sets {@code type} (null removes it); returns what was there before, or null. */
    String set(String type, String value) {
        String before = get(type);
        int i = find(type);
        if (value == null) {
            if (i >= 0) {
                lines.remove(i);
            }
        } else if (i >= 0) {
            lines.set(i, type + "=" + value);
        } else {
            lines.add(groupEnd(), type + "=" + value);
        }
        return before;
    }

    /** Every entry of [Default Applications], in order. */
    Map<String, String> defaults() {
        Map<String, String> out = new LinkedHashMap<>();
        int start = groupStart();
        for (int i = start; start >= 0 && i < lines.size() && !isGroup(lines.get(i)); i++) {
            String l = lines.get(i);
            int eq = l.indexOf('=');
            if (eq > 0 && !l.startsWith("#")) {
                out.put(l.substring(0, eq).strip(), l.substring(eq + 1));
            }
        }
        return out;
    }

    String text() {
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    private int find(String type) {
        int start = groupStart();
        for (int i = start; start >= 0 && i < lines.size() && !isGroup(lines.get(i)); i++) {
            String l = lines.get(i);
            int eq = l.indexOf('=');
            if (eq > 0 && !l.startsWith("#") && l.substring(0, eq).strip().equals(type)) {
                return i;
            }
        }
        return -1;
    }

    /** The first line after the group's header, or -1 when there is no such group. */
    private int groupStart() {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(DEFAULTS)) {
                return i + 1;
            }
        }
        return -1;
    }

    /** Where a new entry of the group goes: after its last entry, the group made at the end if missing. */
    private int groupEnd() {
        int start = groupStart();
        if (start < 0) {
            if (!lines.isEmpty() && !lines.getLast().isBlank()) {
                lines.add("");
            }
            lines.add(DEFAULTS);
            return lines.size();
        }
        int end = start;
        for (int i = start; i < lines.size() && !isGroup(lines.get(i)); i++) {
            if (!lines.get(i).isBlank()) {
                end = i + 1;
            }
        }
        return end;
    }

    private static boolean isGroup(String line) {
        return line.strip().startsWith("[");
    }
}
