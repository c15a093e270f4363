package io.isola.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Many writers at once: every line must still be one whole event. */
@Timeout(60)
class AuditLogConcurrencyTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final int THREADS = 8, EVENTS = 500;
    /** Long lines make a torn write far more likely to show. */
    private static final String PADDING = "x".repeat(2000);

    @TempDir
    Path dir;

    @Test
    void threadsSharingOneLogNeverInterleaveWithinALine() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.open(file)) {
            writeConcurrently(t -> log);
        }
        assertEveryEventWrittenWhole(file);
    }

    @Test
    void separateLogsOnOneFileNeverInterleaveWithinALine() throws Exception {
        // Separate instances share no lock, like separate Isola processes: only O_APPEND keeps lines whole.
        Path file = dir.resolve("audit.jsonl");
        List<AuditLog> logs = new ArrayList<>();
        try {
            for (int t = 0; t < THREADS; t++) {
                logs.add(AuditLog.open(file));
            }
            writeConcurrently(logs::get);
        } finally {
            logs.forEach(AuditLog::close);
        }
        assertEveryEventWrittenWhole(file);
    }

    private static void writeConcurrently(IntFunction<AuditLog> logOfThread) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            AuditLog log = logOfThread.apply(t);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < EVENTS; i++) {
                        log.record(AuditEvent.of(
                                "test.event", "c" + thread, "thread", thread, "seq", i, "padding", PADDING));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
    }

    private static void assertEveryEventWrittenWhole(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(THREADS * EVENTS);
        Set<String> seen = new HashSet<>();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            assertThat(n.get("padding").asText()).isEqualTo(PADDING);
            assertThat(n.get("cell").asText()).isEqualTo("c" + n.get("thread").asInt());
            seen.add(n.get("thread").asInt() + "/" + n.get("seq").asInt());
        }
        assertThat(seen).hasSize(THREADS * EVENTS);
    }
}
