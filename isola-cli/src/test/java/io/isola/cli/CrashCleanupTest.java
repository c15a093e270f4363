package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Isola itself dies (SIGKILL) or is interrupted (Ctrl-C) while a cell runs: nothing may be left behind. */
@Tag("kernel")
class CrashCleanupTest {
    private static final Pattern CELL = Pattern.compile("\"event\":\"cell.started\",\"cell\":\"(c[0-9a-f]+)\"");
    Path state;
    Cli cli;

    @BeforeEach
    void setUp() throws IOException {
        state = Files.createTempDirectory("isola-crash-state");
        cli = new Cli(state);
    }

    @AfterEach
    void tearDown() {
        Cleanup.deleteTree(state);
    }

    @Test
    void sigkilledIsolaLeavesNoProcessAndTheNextStartRemovesItsCgroup() throws Exception {
        String marker = "isola-crash-" + System.nanoTime();
        Process isola = start("exec -a " + marker + " sleep 600");
        String cell = awaitStartedCell();
        waitUntil(() -> Cleanup.processesWith(marker + " 600") == 1); // the renamed sleep itself

        isola.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(isola.waitFor(10, TimeUnit.SECONDS)).isTrue();

        // bwrap's --die-with-parent and the pid namespace take the cell down with Isola...
        waitUntil(() -> Cleanup.processesWith(marker) == 0);
        // ...but the kernel keeps cgroup directories: those wait for the next start.
        assertThat(Cleanup.cgroupsOf(cell)).isNotEmpty();

        assertThat(cli.run("run", "--", "/bin/true").code()).isZero();
        assertThat(Cleanup.cgroupsOf(cell)).isEmpty();
        assertThat(cli.audit()).anyMatch(l -> l.contains("\"event\":\"cell.reaped\"") && l.contains(cell));
    }

    @Test
    void sigkilledOpenLeavesNoTaskFilesAfterTheNextStart() throws Exception {
        Path work = Files.createDirectories(Path.of("target/crash-open").toAbsolutePath());
        String marker = "isola-open-" + System.nanoTime();
        Path policy = Files.writeString(work.resolve("policy.toml"), """
                [level.untrusted.handlers]
                "*" = ["/bin/bash", "-c", "exec -a %s sleep 600"]
                """.formatted(marker));
        Path doc = Files.writeString(work.resolve("doc.txt"), "x");
        Process isola = cli.builder(Map.of("ISOLA_POLICY", policy.toString()), "open", doc.toString())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String cell = awaitStartedCell();
        waitUntil(() -> Cleanup.processesWith(marker + " 600") == 1);
        Path tasks = state.resolve("tasks");
        assertThat(Files.list(tasks).toList()).hasSize(1); // the input's snapshot and the staging area

        isola.destroyForcibly();
        assertThat(isola.waitFor(10, TimeUnit.SECONDS)).isTrue();
        waitUntil(() -> Cleanup.processesWith(marker) == 0);
        assertThat(Files.list(tasks).toList()).hasSize(1);

        Path policy2 = Files.writeString(work.resolve("quick.toml"), """
                [level.untrusted.handlers]
                "*" = ["true"]
                """);
        assertThat(cli.run(Map.of("ISOLA_POLICY", policy2.toString()), null, "open", doc.toString())
                        .code())
                .isZero();
        assertThat(Files.list(tasks).toList()).isEmpty();
        assertThat(Cleanup.cgroupsOf(cell)).isEmpty();
        Cleanup.deleteTree(work);
    }

    @Test
    void interruptedIsolaKillsItsCellAndCleansUp() throws Exception {
        String marker = "isola-int-" + System.nanoTime();
        Process isola = start("exec -a " + marker + " sleep 600");
        String cell = awaitStartedCell();
        waitUntil(() -> Cleanup.processesWith(marker + " 600") == 1);

        new ProcessBuilder("kill", "-INT", Long.toString(isola.pid())).start().waitFor();
        assertThat(isola.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(isola.exitValue()).isEqualTo(130);
        waitUntil(() -> Cleanup.processesWith(marker) == 0);
        assertThat(Cleanup.cgroupsOf(cell)).isEmpty();
    }

    private Process start(String script) throws IOException {
        // bash, not sh: dash's exec has no -a.
        return Cli.asFromATerminal(cli.builder(Map.of(), "run", "--", "/bin/bash", "-c", script))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private String awaitStartedCell() throws Exception {
        String[] id = new String[1];
        waitUntil(() -> {
            Optional<String> line = cli.audit().stream()
                    .filter(l -> l.contains("\"cell.started\""))
                    .findFirst();
            line.ifPresent(l -> {
                Matcher m = CELL.matcher(l);
                if (m.find()) {
                    id[0] = m.group(1);
                }
            });
            return id[0] != null;
        });
        Thread.sleep(200); // let the task exec past its shell
        return id[0];
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitUntil(Check c) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!c.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 20 s");
            }
            Thread.sleep(50);
        }
    }
}
