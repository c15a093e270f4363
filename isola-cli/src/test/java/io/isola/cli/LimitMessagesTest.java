package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A cell that runs into a limit the kernel enforces says which one and the option that raises it, as a timeout
 * does: a memory kill is otherwise a bare 137 and a process limit only the shell's "Cannot fork".
 */
@Tag("kernel")
class LimitMessagesTest {
    static Path state;
    static Cli cli;

    @BeforeAll
    static void setUp() throws IOException {
        state = Files.createTempDirectory("isola-limits-state");
        cli = new Cli(state);
    }

    @AfterAll
    static void tearDown() {
        Cleanup.deleteTree(state);
    }

    @Test
    void aMemoryKillNamesTheMemoryLimitAndItsOption() {
        Cli.Result r = cli.run("run", "--memory", "64M", "--", "/usr/bin/perl", "-e", "$x = 'a' x (200 * 1024 * 1024)");
        assertThat(r.code()).as(r.err()).isEqualTo(137);
        assertThat(limitLines(r))
                .as(r.err())
                .singleElement()
                .asString()
                .contains("reached its memory limit (64M)", "raise it with --memory", "--memory 128M");
        assertThat(cli.audit()).anyMatch(l -> l.contains("\"event\":\"cell.limit\"") && l.contains("\"memory\""));
    }

    @Test
    void aForkLoopNamesTheProcessLimitAndItsOption() {
        Cli.Result r = cli.run(
                "run", "--pids", "20", "--", "/bin/sh", "-c", "for i in $(seq 1 60); do /bin/sleep 2 & done; wait");
        assertThat(limitLines(r))
                .as(r.err())
                .singleElement()
                .asString()
                .contains("reached its process limit (20)", "raise it with --pids", "--pids 40");
    }

    @Test
    void aTaskWithinItsLimitsSaysNothing() {
        Cli.Result r = cli.run("run", "--memory", "64M", "--pids", "20", "--", "/bin/sh", "-c", "echo fine");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aTimeoutSaysWhichOptionAllowsLonger() {
        Cli.Result r = cli.run("run", "--timeout", "300ms", "--", "/bin/sleep", "30");
        assertThat(r.code()).isEqualTo(137);
        assertThat(limitLines(r)).singleElement().asString().contains("killed: timeout", "--timeout");
    }

    /** Isola's own lines; the task's stderr (e.g. the shell's "Cannot fork") may come before them. */
    private static java.util.List<String> limitLines(Cli.Result r) {
        return r.err().lines().filter(l -> l.startsWith("isola: ")).toList();
    }
}
