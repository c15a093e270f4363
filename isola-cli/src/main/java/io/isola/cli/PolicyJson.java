package io.isola.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.isola.core.Limits;
import io.isola.core.policy.LevelSettings;
import io.isola.core.policy.OriginPattern;
import io.isola.core.policy.Policy;
import io.isola.core.policy.Problems;
import io.isola.core.policy.Rule;
import io.isola.core.trust.TrustLevel;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The {@code --json} forms of {@code isola policy check} and {@code show}; docs/trust.md documents their shape. */
final class PolicyJson {
    private PolicyJson() {}

    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /** One JSON object, on one line. */
    static String object(Body body) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        }
        return w.toString();
    }

    static String check(PolicyReport r) throws IOException {
        return object(g -> {
            g.writeStringField("policy", r.check().source());
            g.writeBooleanField("ok", r.ok());
            g.writeNumberField("rules", r.check().policy().rules().size());
            g.writeArrayFieldStart("errors");
            for (Problems.Problem e : r.errors()) {
                g.writeStartObject();
                g.writeStringField("file", e.source());
                g.writeNumberField("line", e.line());
                g.writeStringField("message", e.message());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("notes");
            for (String n : r.notes()) {
                g.writeString(n);
            }
            g.writeEndArray();
        });
    }

    static String show(Policy p, java.util.Set<TrustLevel> definedHandlers) throws IOException {
        return object(g -> {
            g.writeStringField("policy", p.source());
            g.writeArrayFieldStart("rules");
            for (Rule r : p.rules()) {
                g.writeStartObject();
                g.writeStringField("name", r.name());
                g.writeNumberField("line", r.line());
                g.writeStringField("trust", r.trust().word());
                strings(
                        g,
                        "origins",
                        r.origins().stream().map(OriginPattern::text).toList());
                strings(
                        g,
                        "directories",
                        r.directories().stream().map(Path::toString).toList());
                strings(g, "types", r.types());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("otherwise", TrustLevel.UNTRUSTED.word());
            g.writeObjectFieldStart("levels");
            for (TrustLevel t : List.of(TrustLevel.UNTRUSTED, TrustLevel.TRUSTED)) {
                g.writeObjectFieldStart(t.word());
                level(g, p.level(t), definedHandlers.contains(t));
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    private static void level(JsonGenerator g, LevelSettings l, boolean defined) throws IOException {
        Limits lim = l.limits();
        g.writeStringField("engine", l.engine());
        g.writeStringField("image", l.image());
        g.writeStringField("persistence", l.persistence().word());
        g.writeNumberField("memory", lim.memoryBytes());
        g.writeNumberField("pids", lim.maxPids());
        g.writeNumberField("cpus", lim.cpus());
        seconds(g, "cpu-time", lim.cpuTime());
        seconds(g, "timeout", lim.timeout());
        g.writeNumberField("disk", lim.diskBytes());
        g.writeNumberField("output-files", l.quota().maxFiles());
        g.writeNumberField("output-bytes", l.quota().maxBytes());
        g.writeStringField("handlers-from", defined ? "policy" : "built-in");
        g.writeObjectFieldStart("handlers");
        for (Map.Entry<String, List<String>> h : l.handlers().entrySet()) {
            strings(g, h.getKey(), h.getValue());
        }
        g.writeEndObject();
        g.writeObjectFieldStart("window-handlers");
        for (Map.Entry<String, List<String>> h : l.windowHandlers().entrySet()) {
            strings(g, h.getKey(), h.getValue());
        }
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static void seconds(JsonGenerator g, String name, Duration d) throws IOException {
        if (d == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, d.toMillis() / 1000.0);
        }
    }
}
