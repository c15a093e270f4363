package io.isola.core.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The audit log: JSON lines, one event per line, each appended in a single write under a lock that all Isola
 * processes take, so that concurrent processes never interleave within a line, and rotated by size without losing
 * one ({@link AuditFile}).
 */
public final class AuditLog implements AutoCloseable {
    public static final int SCHEMA_VERSION = 1;
    private static final JsonFactory JSON = new JsonFactory();

    private final AuditFile out;

    private AuditLog(AuditFile out) {
        this.out = out;
    }

    /** The log at {@code file}, rotated as {@code ISOLA_AUDIT_MAX_SIZE} and {@code ISOLA_AUDIT_KEEP} say. */
    public static AuditLog open(Path file) {
        return open(file, AuditRotation.fromEnvironment(System.getenv()));
    }

    public static AuditLog open(Path file, AuditRotation rotation) {
        try {
            return new AuditLog(new AuditFile(file, rotation));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot open the audit log " + file + " (" + io.isola.core.IoReason.of(e)
                            + "): check that its folder is yours to write",
                    e);
        }
    }

    /** Loads and links the JSON writer ahead of the first event; a command line calls this on a spare thread. */
    public static void warmUp() {
        format(AuditEvent.of("warm-up", "-", "n", 1, "list", java.util.List.of("a")), Instant.EPOCH);
    }

    public void record(AuditEvent event) {
        byte[] line = (format(event, Instant.now()) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            out.append(line);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the audit log", e);
        }
    }

    static String format(AuditEvent event, Instant time) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeNumberField("v", SCHEMA_VERSION);
            g.writeStringField("time", time.toString());
            g.writeStringField("event", event.type());
            g.writeStringField("cell", event.cell());
            for (Map.Entry<String, Object> e : event.fields().entrySet()) {
                g.writeFieldName(e.getKey());
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    // An instanceof chain, not a pattern switch: the switch bootstraps a class at run time, which costs a cold
    // command line a few ms.
    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object o : list) {
                writeValue(g, o);
            }
            g.writeEndArray();
        } else {
            g.writeString(String.valueOf(v));
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
