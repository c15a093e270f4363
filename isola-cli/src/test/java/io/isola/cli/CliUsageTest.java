package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The command line as a user meets it: exit codes, stdio, and one clear line for every mistake. */
@Tag("kernel")
class CliUsageTest {
    static Path state;
    static Cli cli;

    @BeforeAll
    static void setUp() throws IOException {
        state = Files.createTempDirectory("isola-cli-state");
        cli = new Cli(state);
    }

    @AfterAll
    static void tearDown() {
        Cleanup.deleteTree(state);
    }

    @Test
    void exitCodeAndOutputPassThrough() {
        Cli.Result r =
                cli.run(Map.of(), "from stdin\n", "run", "--", "/bin/sh", "-c", "cat; echo out; echo err >&2; exit 42");
        assertThat(r.code()).isEqualTo(42);
        assertThat(r.out()).isEqualTo("from stdin\nout\n");
        assertThat(r.err()).isEqualTo("err\n");
    }

    @Test
    void givenFilesAreVisibleReadOnlyAndNothingElseIs() throws IOException {
        Path dir = Files.createTempDirectory("isola-cli-view");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path doc = dir.resolve("doc.txt");
        Files.writeString(doc, "hello from the host\n");
        Path sibling = dir.resolve("secret.txt");
        Files.writeString(sibling, "not given\n");
        try {
            Cli.Result r = cli.run(
                    Map.of(),
                    null,
                    "run",
                    "--ro",
                    doc.toString(),
                    "-C",
                    "/tmp",
                    "--",
                    "/bin/sh",
                    "-c",
                    "pwd; cat " + doc + "; cat " + sibling + " 2>/dev/null || echo no-sibling; echo x >> " + doc
                            + " 2>/dev/null || echo read-only");
            assertThat(r.code()).isZero();
            assertThat(r.out()).isEqualTo("/tmp\nhello from the host\nno-sibling\nread-only\n");
            assertThat(Files.readString(doc)).isEqualTo("hello from the host\n");
        } finally {
            Cleanup.deleteTree(dir);
        }
    }

    @Test
    void writableViewReceivesTheTasksOutput() throws IOException {
        Path out = Files.createTempDirectory("isola-cli-out");
        Files.setPosixFilePermissions(out, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            Cli.Result r =
                    cli.run("run", "--rw", out.toString(), "--", "/bin/sh", "-c", "echo result > " + out + "/r.txt");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(Files.readString(out.resolve("r.txt"))).isEqualTo("result\n");
        } finally {
            Cleanup.deleteTree(out);
        }
    }

    @Test
    void signalDeathIs128PlusSignal() {
        assertThat(cli.run("run", "--", "/bin/sh", "-c", "kill -TERM $$").code())
                .isEqualTo(128 + 15);
    }

    @Test
    void timeoutKillsAndSaysSo() {
        Cli.Result r = cli.run("run", "--timeout", "300ms", "--", "/bin/sleep", "30");
        assertThat(r.code()).isEqualTo(137);
        assertThat(r.err()).contains("killed: timeout");
    }

    @Test
    void compoundDurationsAreAccepted() {
        Cli.Result r = cli.run("run", "--timeout", "1h30m", "--cpu-time", "2m30s", "--", "/bin/true");
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void mistakesGetOneLineAndNoStackTrace() {
        assertOneLine(cli.run("run", "--bogus", "--", "true"), 2, "unknown option --bogus");
        assertOneLine(cli.run("run", "--memroy", "1G", "--", "true"), 2, "did you mean --memory?");
        assertOneLine(cli.run("run"), 2, "no command given");
        assertOneLine(cli.run("run", "--memory"), 2, "--memory needs a value");
        assertOneLine(cli.run("run", "--memory", "lots", "--", "true"), 2, "is not a size");
        assertOneLine(
                cli.run("run", "--timeout", "1h 30m", "--", "true"),
                2,
                "--timeout '1h 30m' is not a duration: use e.g. 500ms, 10s, 2m, 1h or 1h30m");
        assertOneLine(cli.run("frobnicate"), 2, "unknown command 'frobnicate'");
        assertOneLine(cli.run("run", "--", "no-such-program-xyz"), 127, "command not found in the cell");
        assertOneLine(cli.run("run", "--image", "nope", "--", "true"), 2, "no image 'nope'");
        assertOneLine(cli.run("run", "--rw", "/etc", "--", "true"), 2, "refusing --rw /etc");
        assertOneLine(cli.run("run", "--ro", "/no/such/path", "--", "true"), 2, "no such file or directory");
        assertOneLine(cli.run("run", "--engine", "qemu", "--", "true"), 2, "unknown engine 'qemu'");
    }

    @Test
    void missingBubblewrapSaysHowToInstallIt() {
        assertOneLine(
                cli.run(Map.of("ISOLA_BWRAP", "/nonexistent/bwrap"), null, "run", "--", "true"),
                125,
                "apt-get install bubblewrap");
    }

    @Test
    void missingCgroupsSaysWhatToDo() throws IOException {
        Path empty = Files.createTempDirectory("isola-no-cgroups");
        long helpersBefore = Cleanup.processesWith("/bin/sleep 60");
        try {
            assertOneLine(
                    cli.run(Map.of("ISOLA_CGROUP_ROOT", empty.toString()), null, "run", "--", "true"),
                    125,
                    "no usable cgroup hierarchy");
            // The failed start left nothing running: not even the user namespace helper it had begun with.
            assertThat(Cleanup.processesWith("/bin/sleep 60")).isEqualTo(helpersBefore);
        } finally {
            Files.delete(empty);
        }
    }

    @Test
    void helpListsEveryOption() {
        Cli.Result top = cli.run("--help");
        assertThat(top.code()).isZero();
        assertThat(top.out()).contains("run ", "doctor", "bench", "Exit codes");
        Cli.Result run = cli.run("run", "--help");
        assertThat(run.code()).isZero();
        for (var o : new RunCommand().options()) {
            assertThat(run.out()).contains(o.name());
        }
    }

    @Test
    void auditLogRecordsTheCellsLife() {
        cli.run("run", "--", "/bin/true");
        assertThat(cli.audit())
                .anyMatch(l -> l.contains("\"event\":\"cell.created\""))
                .anyMatch(l -> l.contains("\"event\":\"cell.started\""))
                .anyMatch(l -> l.contains("\"event\":\"cell.exited\"") && l.contains("\"exit_code\":0"))
                .anyMatch(l -> l.contains("\"event\":\"cell.closed\""));
    }

    static void assertOneLine(Cli.Result r, int code, String message) {
        assertThat(r.code()).as(r.err()).isEqualTo(code);
        assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("isola: ").contains(message).doesNotContain("\tat ", "Exception");
    }
}
