package io.isola.vm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A QMP client over one end of a socket pair, so no other process can reach the monitor. QEMU is not trusted either
 * (a guest may have taken it over): lines are bounded and only the fields Isola needs are read.
 */
final class Qmp implements AutoCloseable {
    private static final int MAX_LINE = 1 << 20;
    private static final JsonFactory JSON = new JsonFactory();
    private final InputStream in;
    private final OutputStream out;
    private final int fd;

    Qmp(int fd) throws IOException {
        this.fd = fd;
        this.in = new java.io.BufferedInputStream(FdStreams.in(fd));
        this.out = FdStreams.out(fd);
        readLine(); // the greeting
        execute("qmp_capabilities", Map.of());
    }

    /** Runs a command; returns the raw JSON of its "return" value, or throws with QEMU's error description. */
    synchronized String execute(String command, Map<String, Object> arguments) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("execute", command);
            g.writeFieldName("arguments");
            write(g, arguments);
            g.writeEndObject();
        }
        out.write((w + "\n").getBytes(StandardCharsets.UTF_8));
        while (true) {
            String line = readLine();
            try (JsonParser p = JSON.createParser(line)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("QEMU's monitor sent something that is not a JSON object");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    if (name.equals("return")) {
                        p.skipChildren();
                        return line;
                    }
                    if (name.equals("error")) {
                        throw new IOException(command + " failed: " + errorDescription(p));
                    }
                    p.skipChildren(); // an event, or an id
                }
            }
        }
    }

    /** The value of {@code field} in a "return" object at top level, e.g. the migration status. */
    static String field(String line, String field) throws IOException {
        try (JsonParser p = JSON.createParser(line)) {
            while (p.nextToken() != null) {
                if (p.currentToken() == JsonToken.FIELD_NAME && p.currentName().equals(field)) {
                    p.nextToken();
                    return p.getValueAsString();
                }
            }
        }
        return null;
    }

    private static String errorDescription(JsonParser p) throws IOException {
        String desc = "unknown error";
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String n = p.currentName();
            p.nextToken();
            if (n.equals("desc")) {
                desc = p.getValueAsString();
            } else {
                p.skipChildren();
            }
        }
        return desc;
    }

    @SuppressWarnings("unchecked")
    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                g.writeFieldName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof java.util.List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Number n) {
            g.writeNumber(n.longValue());
        } else {
            g.writeString(String.valueOf(v));
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("QEMU closed its monitor (it exited)");
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("QEMU's monitor sent a line over " + MAX_LINE + " bytes");
            }
            line.write(c);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        io.isola.linux.Sockets.shutdown(fd);
        io.isola.linux.Libc.close(fd);
    }
}
