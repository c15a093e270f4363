package io.isola.cli;

import static io.isola.cli.DaemonCliTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Nothing outlives what owns it: the daemon's cells stop with it, even when it is SIGKILLed; policy changes live. */
@Tag("kernel")
class DaemonLifecycleTest {
    private static final Pattern CELL = Pattern.compile("\"event\":\"cell.started\",\"cell\":\"(c[0-9a-f]+)\"");

    @Test
    void aSigkilledDaemonLeavesNoCellAndTheNextStartRemovesWhatTheKernelKeeps() throws Exception {
        try (DaemonFixture d = new DaemonFixture()) {
            String marker = "isola-daemon-crash-" + System.nanoTime();
            Path err = d.dir.resolve("client.err");
            Process client = sleeper(d, marker, err);
            waitUntil(() -> Cleanup.processesWith(marker + " 600") == 1);
            String cell = startedCell(d);

            long killed = System.nanoTime();
            d.daemon.destroyForcibly().waitFor(); // SIGKILL: no hook runs
            waitUntil(() -> Cleanup.processesWith(marker) == 0);
            assertThat(System.nanoTime() - killed)
                    .as("cells die with the daemon")
                    .isLessThan(1_000_000_000L);

            assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).isEqualTo(125);
            assertThat(Files.readString(err)).contains("went away").hasLineCount(1);

            assertThat(Cleanup.cgroupsOf(cell)).isNotEmpty(); // the kernel keeps these...
            d.start(); // ...until the next start
            assertThat(Cleanup.cgroupsOf(cell)).isEmpty();
            assertThat(d.run("run", "--", "/bin/true").code()).isZero();
        }
    }

    @Test
    void sigtermStopsEveryCellAndRemovesTheSocket() throws Exception {
        try (DaemonFixture d = new DaemonFixture()) {
            String marker = "isola-daemon-term-" + System.nanoTime();
            Path err = d.dir.resolve("client.err");
            Process client = sleeper(d, marker, err);
            waitUntil(() -> Cleanup.processesWith(marker + " 600") == 1);

            d.daemon.destroy(); // SIGTERM
            assertThat(d.daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // the cell died before the daemon exited ("exec -a" renames it; the client's own command line names
            // the marker without " 600")
            assertThat(Cleanup.processesWith(marker + " 600")).isZero();
            assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).isEqualTo(125);
            assertThat(Files.readString(err))
                    .isEqualTo("isola: the Isola service stopped, and its cells with it: "
                            + "start it again, or use --no-daemon\n");
            assertThat(d.socket).doesNotExist();
            // with no daemon, the command runs in process
            Cli.Result r = d.run("run", "--", "/bin/echo", "alone");
            assertThat(r.out()).isEqualTo("alone\n");
        }
    }

    @Test
    void aChangedPolicyIsPickedUpAndABrokenOneRefusedKeepingTheOld() throws Exception {
        Path dir = Files.createTempDirectory("isola-policy");
        Path policy = dir.resolve("policy.toml");
        Files.writeString(policy, rule("a.example.com"));
        try (DaemonFixture d = new DaemonFixture("--policy", policy.toString())) {
            assertThat(d.run("trust", "explain", "https://a.example.com/x").code())
                    .isZero();

            Files.writeString(policy, rule("bb.example.com"));
            assertThat(d.run("trust", "explain", "https://a.example.com/x").code())
                    .isEqualTo(1);
            assertThat(d.run("trust", "explain", "https://bb.example.com/x").code())
                    .isZero();

            Files.writeString(policy, "version = 1\n[[rule]]\nname = \"broken\"\ntrust = \"maybe\"\n");
            assertThat(d.run("trust", "explain", "https://bb.example.com/x").code())
                    .isZero();
            assertThat(d.log()).contains("was refused, the previous one stays in force");
            Cli.Result show = d.run("policy", "show");
            assertThat(show.out())
                    .contains("the Isola service judges by " + policy)
                    .contains("the Isola service refused a change: the changed policy " + policy + " was refused");
        } finally {
            Cleanup.deleteTree(dir);
        }
    }

    @Test
    void aSocketHandedOverBySystemdIsServed() throws Exception {
        Path activate = Path.of("/usr/bin/systemd-socket-activate");
        if (!Files.isExecutable(activate)) {
            System.out.println("skipped: no systemd-socket-activate (Debian package systemd)");
            return;
        }
        Path dir = Files.createTempDirectory("isola-activate");
        Path socket = dir.resolve("s.sock");
        Cli cli = new Cli(dir.resolve("state"));
        List<String> cmd = new ArrayList<>(List.of(activate.toString(), "-l", socket.toString()));
        cmd.addAll(cli.builder(
                        java.util.Map.of(),
                        "daemon",
                        "--socket",
                        dir.resolve("unused.sock").toString())
                .command());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("log").toFile())
                .redirectInput(new File("/dev/null"));
        pb.environment().put("ISOLA_STATE_DIR", dir.resolve("state").toString());
        Process p = pb.start();
        try {
            waitUntil(() -> Files.exists(socket));
            // the first connection starts the daemon, which serves it on the socket it was given
            Cli.Result r = cli.run(
                    java.util.Map.of("ISOLA_SOCKET", socket.toString()), null, "run", "--", "/bin/echo", "activated");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("activated\n");
            assertThat(Files.readString(dir.resolve("log"))).contains("the socket systemd passed");
            assertThat(dir.resolve("unused.sock")).doesNotExist();
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
            Cleanup.deleteTree(dir);
        }
    }

    private static String rule(String host) {
        return "version = 1\n[[rule]]\nname = \"ours\"\ntrust = \"trusted\"\norigins = [\"" + host + "\"]\n";
    }

    private static Process sleeper(DaemonFixture d, String marker, Path err) throws Exception {
        return d.client("run", "--", "/bin/bash", "-c", "exec -a " + marker + " sleep 600")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile())
                .start();
    }

    /**
     * The cell last started, once the audit log says so: the cell's program may run (and be seen) a moment before
     * the engine records {@code cell.started}, which it does once it knows the cell's pid 1.
     */
    private static String startedCell(DaemonFixture d) throws Exception {
        Path audit = d.state.resolve("audit.jsonl");
        waitUntil(() -> {
            try {
                return CELL.matcher(Files.readString(audit)).find();
            } catch (java.io.IOException e) {
                return false;
            }
        });
        Matcher m = CELL.matcher(Files.readString(audit));
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        assertThat(last).isNotNull();
        return last;
    }
}
