package io.isola.core.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The audit log: JSON lines, one event per line, appended with O_APPEND in a single write so that concurrent Isola
 * processes never interleave within a line.
 */
public final class AuditLog implements AutoCloseable {
    public static final int SCHEMA_VERSION = 1;
    private static final JsonFactory JSON = new JsonFactory();

    private final FileChannel out;

    private AuditLog(FileChannel out) {
        this.out = out;
    }

    public static AuditLog open(Path file) {
        try {
            Files.createDirectories(file.getParent());
            return new AuditLog(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit log " + file + ": check the state directory", e);
        }
    }

    /** Loads and links the JSON writer ahead of the first event; a command line calls this on a spare thread. */
    public static void warmUp() {
        format(AuditEvent.of("warm-up", "-", "n", 1, "list", java.util.List.of("a")), Instant.EPOCH);
    }

    public void record(AuditEvent event) {
        byte[] line = (format(event, Instant.now()) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            synchronized (this) {
                out.write(ByteBuffer.wrap(line));
            }
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
