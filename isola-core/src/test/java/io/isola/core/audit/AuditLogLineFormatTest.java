package io.isola.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What one audit line looks like on disk: JSON, fixed leading fields, then the event's fields in order. */
class AuditLogLineFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @TempDir
    Path dir;

    @Test
    void writesOneJsonObjectWithLeadingFieldsThenExtrasInOrder() throws IOException {
        Path file = dir.resolve("state/audit.jsonl");
        Instant before = Instant.now();
        try (AuditLog log = AuditLog.open(file)) {
            log.record(AuditEvent.of(
                    "cell.created",
                    "c0123456789ab",
                    "engine",
                    "sandbox",
                    "pid",
                    4242,
                    "memory",
                    536870912L,
                    "cpus",
                    0.5,
                    "network",
                    false,
                    "command",
                    List.of("/bin/echo", "hi")));
        }
        Instant after = Instant.now();

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1);
        JsonNode n = JSON.readTree(lines.get(0));
        assertThat(fieldNames(n))
                .containsExactly("v", "time", "event", "cell", "engine", "pid", "memory", "cpus", "network", "command");
        assertThat(n.get("v").isInt()).isTrue();
        assertThat(n.get("v").asInt()).isEqualTo(AuditLog.SCHEMA_VERSION);
        assertThat(Instant.parse(n.get("time").asText())).isBetween(before, after);
        assertThat(n.get("event").asText()).isEqualTo("cell.created");
        assertThat(n.get("cell").asText()).isEqualTo("c0123456789ab");
        assertThat(n.get("engine").asText()).isEqualTo("sandbox");
        assertThat(n.get("pid").isInt()).isTrue();
        assertThat(n.get("pid").asInt()).isEqualTo(4242);
        assertThat(n.get("memory").isIntegralNumber()).isTrue();
        assertThat(n.get("memory").asLong()).isEqualTo(536870912L);
        assertThat(n.get("cpus").isDouble()).isTrue();
        assertThat(n.get("cpus").asDouble()).isEqualTo(0.5);
        assertThat(n.get("network").isBoolean()).isTrue();
        assertThat(n.get("network").asBoolean()).isFalse();
        assertThat(n.get("command").isArray()).isTrue();
        assertThat(n.get("command")).extracting(JsonNode::asText).containsExactly("/bin/echo", "hi");
    }

    @Test
    void dropsNullFieldsAndWritesOtherObjectsAsStrings() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.open(file)) {
            log.record(AuditEvent.of("cell.killed", "c1", "why", null, "workdir", Path.of("/home/user")));
        }
        JsonNode n = JSON.readTree(Files.readString(file));
        assertThat(fieldNames(n)).containsExactly("v", "time", "event", "cell", "workdir");
        assertThat(n.get("workdir").isTextual()).isTrue();
        assertThat(n.get("workdir").asText()).isEqualTo("/home/user");
    }

    @Test
    void escapesNewlinesAndQuotesSoOneEventStaysOneLine() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        String hostile = "line1\nline2\r\n\"quoted\" \\ {\"event\":\"forged\"}\u0000\u2028";
        try (AuditLog log = AuditLog.open(file)) {
            log.record(AuditEvent.of("cell.exited", "c2", "detail", hostile, "argv", List.of("a\nb")));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1);
        JsonNode n = JSON.readTree(lines.get(0));
        assertThat(n.get("event").asText()).isEqualTo("cell.exited");
        assertThat(n.get("detail").asText()).isEqualTo(hostile);
        assertThat(n.get("argv").get(0).asText()).isEqualTo("a\nb");
    }

    @Test
    void writesOneLinePerEventAndAppendsAcrossReopening() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.open(file)) {
            log.record(AuditEvent.of("cell.created", "c1"));
            log.record(AuditEvent.of("cell.exited", "c1", "code", 0));
        }
        try (AuditLog log = AuditLog.open(file)) {
            log.record(AuditEvent.of("cell.removed", "c1"));
        }
        String content = Files.readString(file);
        assertThat(content).endsWith("\n");
        List<String> events = new ArrayList<>();
        for (String line : content.split("\n", -1)) {
            if (!line.isEmpty()) {
                events.add(JSON.readTree(line).get("event").asText());
            }
        }
        assertThat(events).containsExactly("cell.created", "cell.exited", "cell.removed");
        assertThat(content.split("\n", -1)).hasSize(4); // three lines and the empty rest after the last newline
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
