package io.isola.cli;

import static io.isola.cli.CliUsageTest.assertOneLine;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Input an attacker or a slip of the keyboard gives the command line: endless or blocking policy files, empty paths,
 * limits no cell can start with. Each gets one line and exit code 2, promptly.
 */
@Timeout(100) // a FIFO taken for a policy used to block forever: Cli.run gives up at 120 s, this earlier
class BadInputCliTest {
    static Path state;
    static Path work;
    static Cli cli;

    @BeforeAll
    static void setUp() throws IOException {
        state = Files.createTempDirectory("isola-cli-state");
        work = Files.createTempDirectory("isola-bad-input");
        cli = new Cli(state);
    }

    @AfterAll
    static void tearDown() {
        Cleanup.deleteTree(state);
        Cleanup.deleteTree(work);
    }

    /** Every way a policy path reaches Isola: the check command, --policy of open and trust, ISOLA_POLICY. */
    private static void assertPolicyRefused(Path policy, String message) {
        String p = policy.toString();
        assertOneLine(cli.run("policy", "check", p), 2, message);
        assertOneLine(cli.run("policy", "show", p), 2, message);
        assertOneLine(cli.run("trust", "--policy", p, "explain", "https://example.com/"), 2, message);
        assertOneLine(cli.run("open", "--policy", p, "https://example.com/"), 2, message);
        assertOneLine(cli.run(Map.of("ISOLA_POLICY", p), null, "policy", "check"), 2, message);
        assertOneLine(cli.run(Map.of("ISOLA_POLICY", p), null, "trust", "explain", "https://example.com/"), 2, message);
    }

    @Test
    void anEndlessDeviceIsNotAPolicy() {
        assertPolicyRefused(Path.of("/dev/zero"), "/dev/zero: not a regular file (a character device)");
    }

    @Test
    void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
        Path fifo = work.resolve("policy.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        long start = System.nanoTime();
        assertPolicyRefused(fifo, fifo + ": not a regular file (a FIFO)");
        // six JVM starts: each took well under a few seconds, none waited for a writer
        assertThat((System.nanoTime() - start) / 1_000_000_000).isLessThan(60);
    }

    @Test
    void aDirectoryIsNotAPolicy() {
        assertPolicyRefused(work, work + ": not a regular file (a directory)");
    }

    @Test
    void aSymlinkToARegularPolicyStillWorks() throws IOException {
        Path real = Files.writeString(work.resolve("real.toml"), "version = 1\n");
        Path link = Files.createSymbolicLink(work.resolve("link.toml"), real);
        Cli.Result r = cli.run("policy", "check", link.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Path toDevice = Files.createSymbolicLink(work.resolve("zero.toml"), Path.of("/dev/zero"));
        assertOneLine(cli.run("policy", "check", toDevice.toString()), 2, "not a regular file (a character device)");
    }

    @Test
    void anOversizedPolicyIsRefusedWithItsLimit() throws IOException {
        Path big = work.resolve("big.toml");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: 3 GiB that cost no disk
        }
        assertPolicyRefused(big, big + ": larger than 1 MiB");
        Path justOver = Files.writeString(work.resolve("over.toml"), "#".repeat((1 << 20) - 1) + "\n\n");
        assertOneLine(cli.run("policy", "check", justOver.toString()), 2, "larger than 1 MiB");
        Path atLimit = Files.writeString(work.resolve("at.toml"), "#".repeat((1 << 20) - 1) + "\n");
        Cli.Result ok = cli.run("policy", "check", atLimit.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
    }

    @Test
    void emptyPathsGetOneClearLine() {
        assertOneLine(cli.run("open", ""), 2, "open needs a FILE or URL, not an empty string");
        assertOneLine(cli.run("open", "--policy", "", "x"), 2, "--policy needs a FILE, not an empty string");
        assertOneLine(cli.run("open", "--policy=", "x"), 2, "--policy needs a FILE, not an empty string");
        assertOneLine(cli.run("open", "--state-dir", "", "x"), 2, "--state-dir needs a DIR, not an empty string");
        assertOneLine(cli.run("run", "--ro", "", "--", "true"), 2, "--ro needs a PATH, not an empty string");
        assertOneLine(cli.run("run", "--rw", "", "--", "true"), 2, "--rw needs a PATH, not an empty string");
        assertOneLine(cli.run("run", "-C", "", "--", "true"), 2, "-C needs a DIR, not an empty string");
        assertOneLine(cli.run("run", "--state-dir=", "--", "true"), 2, "--state-dir needs a DIR, not an empty");
        assertOneLine(cli.run("trust", "explain", ""), 2, "trust explain needs a PATH or URL, not an empty string");
        assertOneLine(cli.run("trust", "--policy", "", "explain", "x"), 2, "--policy needs a FILE, not an empty");
        assertOneLine(cli.run("policy", "check", ""), 2, "policy check needs a FILE, not an empty string");
        assertOneLine(cli.run("image", "--state-dir", "", "build"), 2, "--state-dir needs a DIR, not an empty");
        // an empty ISOLA_POLICY is unset, as for the other variables; an empty argument of the task is its own business
        assertThat(cli.run(Map.of("ISOLA_POLICY", ""), null, "policy", "check").code())
                .isZero();
        assertThat(cli.run("run", "--", "/bin/sh", "-c", "test -z \"$1\"", "sh", "")
                        .code())
                .isZero();
    }

    @Test
    void limitsNoCellCanStartWithAreRefusedWithTheirFloor() {
        assertOneLine(cli.run("run", "--disk", "1", "--", "true"), 2, "--disk must be at least 1M");
        assertOneLine(cli.run("run", "--disk", "1023K", "--", "true"), 2, "--disk must be at least 1M");
        assertOneLine(cli.run("run", "--memory", "1", "--", "true"), 2, "--memory must be at least 4M");
        assertOneLine(cli.run("run", "--memory", "3M", "--", "true"), 2, "--memory must be at least 4M");
        assertOneLine(cli.run("run", "--pids", "2", "--", "true"), 2, "--pids must be at least 8");
        // the floors themselves start a cell that can run a shell pipeline and write to its disk
        Cli.Result floor = cli.run(
                "run",
                "--disk",
                "1M",
                "--memory",
                "4M",
                "--pids",
                "8",
                "--",
                "/bin/sh",
                "-c",
                "ls / | wc -l > /tmp/n && cat /tmp/n >/dev/null && echo ok");
        assertThat(floor.code()).as(floor.err()).isZero();
        assertThat(floor.out()).isEqualTo("ok\n");
    }

    @Test
    void limitsInAPolicyHaveTheSameFloorAndNameTheirLine() throws IOException {
        for (var bad : List.of(
                List.of("disk = \"4K\"", "disk must be at least 1M"),
                List.of("memory = \"1M\"", "memory must be at least 4M"),
                List.of("pids = 3", "pids must be at least 8"))) {
            Path p = Files.writeString(work.resolve("limits.toml"), "[level.untrusted]\n" + bad.get(0) + "\n");
            // policy check lists every error, one line each, and then how many it found
            Cli.Result r = cli.run("policy", "check", p.toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err().lines().toList()).hasSize(2).first().asString().contains("limits.toml:2: " + bad.get(1));
            // a command that uses the policy stops at it, in one line
            assertOneLine(
                    cli.run("trust", "explain", "--policy", p.toString(), "https://example.com/"),
                    2,
                    "limits.toml:2: " + bad.get(1));
        }
    }
}
