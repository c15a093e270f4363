package io.isola.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.core.Host;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The log's file: who may read it, and rotation that keeps every line whole under concurrent writers. */
@Timeout(120)
class AuditLogFileTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @TempDir
    Path dir;

    /** What the log must be: root keeps it for root and adm (as system logs are), a user for itself. */
    private static String expectedMode() {
        return Host.isRoot() && hasGroup("adm") ? "rw-r-----" : "rw-------";
    }

    private static boolean hasGroup(String name) {
        try {
            java.nio.file.FileSystems.getDefault()
                    .getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName(name);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String mode(Path f) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
    }

    private static String group(Path f) throws IOException {
        return Files.readAttributes(f, java.nio.file.attribute.PosixFileAttributes.class)
                .group()
                .getName();
    }

    @Test
    void aNewLogIsReadableByRootAndAdmOnly() throws IOException {
        Path file = dir.resolve("state/audit.jsonl");
        try (AuditLog log = AuditLog.open(file)) {
            log.record(AuditEvent.of("cell.created", "c1", "command", List.of("/bin/cat", "/home/alice/secret.pdf")));
        }
        assertThat(mode(file)).isEqualTo(expectedMode());
        if (expectedMode().equals("rw-r-----")) {
            assertThat(group(file)).isEqualTo("adm");
        }
        assertThat(Files.readAllLines(file)).hasSize(1);
    }

    @Test
    void anExistingWorldReadableLogIsNarrowedAndKeepsItsLines() throws IOException {
        Path file = Files.writeString(dir.resolve("audit.jsonl"), "{\"v\":1,\"event\":\"old\"}\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        try (AuditLog log = AuditLog.open(file)) {
            log.record(AuditEvent.of("cell.closed", "c1"));
        }
        assertThat(mode(file)).isEqualTo(expectedMode());
        assertThat(Files.readAllLines(file)).hasSize(2).first().asString().contains("\"old\"");
    }

    @Test
    void rotationKeepsEveryLineWholeAcrossFilesUnderConcurrentProcessesAndThreads() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        int processes = 3, threads = 2, events = 600;
        long cap = 64 << 10;
        List<Process> writers = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            writers.add(new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            AuditWriter.class.getName(),
                            file.toString(),
                            "p" + p,
                            Integer.toString(threads),
                            Integer.toString(events),
                            Long.toString(cap),
                            "1000")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("writer" + p + ".out").toFile())
                    .start());
        }
        for (int p = 0; p < processes; p++) {
            assertThat(writers.get(p).waitFor())
                    .as(Files.readString(dir.resolve("writer" + p + ".out")))
                    .isZero();
        }
        List<Path> logs = logs(file);
        assertThat(logs.size()).as("rotated at least a few times").isGreaterThan(5);
        Set<String> seen = new HashSet<>();
        for (Path log : logs) {
            assertThat(Files.size(log)).as(log.toString()).isLessThanOrEqualTo(cap);
            assertThat(mode(log)).isEqualTo(expectedMode());
            for (String line : Files.readAllLines(log)) {
                JsonNode n = JSON.readTree(line); // a torn or interleaved line would not parse
                assertThat(n.get("padding").asText()).hasSize(AuditWriter.PADDING.length());
                assertThat(seen.add(n.get("cell").asText() + "/" + n.get("seq").asInt()))
                        .as(line)
                        .isTrue();
            }
        }
        assertThat(seen).hasSize(processes * threads * events);
    }

    @Test
    void theSizeCapAndTheNumberOfOldFilesHold() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        long cap = 8 << 10;
        AuditWriter.write(file, "t", 2, 500, new AuditRotation(cap, 3));
        List<Path> logs = logs(file);
        assertThat(logs)
                .extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("audit.jsonl", "audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.3");
        for (Path log : logs) {
            assertThat(Files.size(log)).isLessThanOrEqualTo(cap).isGreaterThan(cap / 2);
        }
        // the newest lines are kept: a last event is in the current file or the one before
        String recent = Files.readString(file) + Files.readString(dir.resolve("audit.jsonl.1"));
        assertThat(recent).contains("\"seq\":499");
    }

    @Test
    void aLineLargerThanTheCapStillGoesInWhole() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.open(file, new AuditRotation(4096, 2))) {
            log.record(AuditEvent.of("small", "c1"));
            log.record(AuditEvent.of("big", "c2", "padding", "x".repeat(10_000)));
            log.record(AuditEvent.of("small", "c3"));
        }
        assertThat(Files.readString(dir.resolve("audit.jsonl.2"))).contains("\"c1\"");
        assertThat(Files.readString(dir.resolve("audit.jsonl.1")))
                .contains("\"c2\"")
                .hasSizeGreaterThan(10_000);
        assertThat(Files.readString(file)).contains("\"c3\"");
    }

    @Test
    void rotationIsSetByTheEnvironmentAndBadValuesGetOneLine() {
        assertThat(AuditRotation.fromEnvironment(java.util.Map.of())).isEqualTo(AuditRotation.DEFAULT);
        assertThat(AuditRotation.fromEnvironment(
                        java.util.Map.of("ISOLA_AUDIT_MAX_SIZE", "1M", "ISOLA_AUDIT_KEEP", "2")))
                .isEqualTo(new AuditRotation(1 << 20, 2));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> AuditRotation.fromEnvironment(java.util.Map.of("ISOLA_AUDIT_MAX_SIZE", "1")))
                .isInstanceOf(io.isola.core.IsolaException.class)
                .hasMessage("ISOLA_AUDIT_MAX_SIZE '1' is too small: use at least 4K, e.g. 10M");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> AuditRotation.fromEnvironment(java.util.Map.of("ISOLA_AUDIT_KEEP", "none")))
                .isInstanceOf(io.isola.core.IsolaException.class)
                .hasMessageStartingWith("ISOLA_AUDIT_KEEP 'none' is not a positive whole number");
    }

    private static List<Path> logs(Path file) throws IOException {
        try (Stream<Path> s = Files.list(file.getParent())) {
            return s.filter(p -> p.getFileName().toString().matches("audit\\.jsonl(\\.[0-9]+)?"))
                    .sorted()
                    .toList();
        }
    }
}
