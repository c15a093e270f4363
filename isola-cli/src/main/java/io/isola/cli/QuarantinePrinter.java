package io.isola.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.isola.core.TerminalText;
import io.isola.core.output.Quarantine;
import io.isola.core.output.Quarantine.Entry;
import io.isola.core.output.Quarantine.Item;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How {@code isola quarantine list|show} print, as text or JSON. Names, origins and marks came from a hostile cell:
 * they are escaped before they reach a terminal (JSON escapes them itself).
 */
final class QuarantinePrinter {
    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'").withZone(ZoneOffset.UTC);

    private QuarantinePrinter() {}

    static int list(Quarantine q, boolean json) throws IOException {
        List<Entry> entries = q.list();
        Map<Integer, String> names = userNames();
        if (json) {
            System.out.println(json(g -> {
                g.writeStartArray();
                for (Entry e : entries) {
                    entry(g, e, names);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }));
            return 0;
        }
        if (entries.isEmpty()) {
            System.out.println("nothing in quarantine (" + q.root() + ")");
            return 0;
        }
        System.out.printf(
                "%-13s  %-17s  %-9s  %5s  %7s  %-10s  %s%n",
                "TASK", "TIME", "TRUST", "FILES", "SIZE", "OWNER", "ORIGIN");
        for (Entry e : entries) {
            System.out.printf(
                    "%-13s  %-17s  %-9s  %5d  %7s  %-10s  %s%n",
                    e.task(),
                    WHEN.format(e.time()),
                    e.trust() == null ? "?" : TerminalText.printable(e.trust()),
                    e.files().size(),
                    size(e.bytes()),
                    owner(e.owner(), names),
                    e.origin() == null ? "?" : TerminalText.printable(e.origin()));
        }
        return 0;
    }

    static int show(Entry e, boolean json) throws IOException {
        Map<Integer, String> names = userNames();
        if (json) {
            System.out.println(json(g -> {
                entry(g, e, names);
                g.writeArrayFieldStart("items");
                for (Item f : e.files()) {
                    g.writeStartObject();
                    g.writeStringField("name", f.name());
                    g.writeNumberField("bytes", f.size());
                    g.writeStringField("owner", owner(f.owner(), names));
                    g.writeObjectFieldStart("marks");
                    for (Map.Entry<String, String> m : f.marks().values().entrySet()) {
                        g.writeStringField("user." + m.getKey(), m.getValue());
                    }
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }));
            return 0;
        }
        System.out.println(e.task() + ": " + e.files().size() + " file(s), " + size(e.bytes()) + ", owner "
                + owner(e.owner(), names) + ", kept " + e.time().truncatedTo(ChronoUnit.SECONDS));
        for (Item f : e.files()) {
            System.out.println("  " + TerminalText.printable(f.name()) + "  (" + size(f.size()) + ")");
            for (Map.Entry<String, String> m : f.marks().values().entrySet()) {
                System.out.println("    user." + TerminalText.printable(m.getKey()) + " = "
                        + TerminalText.printable(m.getValue()));
            }
        }
        return 0;
    }

    /** Writes the fields every task has and leaves its object open. */
    private static void entry(JsonGenerator g, Entry e, Map<Integer, String> names) throws IOException {
        g.writeStartObject();
        g.writeStringField("task", e.task());
        g.writeStringField("time", e.time().toString());
        g.writeStringField("trust", e.trust());
        g.writeStringField("origin", e.origin());
        g.writeNumberField("files", e.files().size());
        g.writeNumberField("bytes", e.bytes());
        g.writeStringField("owner", owner(e.owner(), names));
    }

    /** 512 B, 1.5K, 20.0M: short enough for a column. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"K", "M", "G", "T"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f%s", v, units[u]);
    }

    private static String owner(int uid, Map<Integer, String> names) {
        return uid < 0 ? "(mixed)" : names.getOrDefault(uid, Integer.toString(uid));
    }

    /** uid to user name from /etc/passwd; a uid without a name prints as the number. */
    private static Map<Integer, String> userNames() {
        Map<Integer, String> names = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", -1);
                if (f.length >= 3 && f[2].matches("[0-9]{1,10}")) {
                    names.putIfAbsent(Integer.parseInt(f[2]), f[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // numbers then
        }
        return names;
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String json(Body body) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            body.write(g);
        }
        return w.toString();
    }
}
