package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A CPU share above the machine's CPUs is a mistake a user makes on a small machine: the command line refuses it
 * with the maximum here, and a policy (written for many machines) passes its check with a warning.
 */
class CpusLimitTest {
    static final int HERE = Runtime.getRuntime().availableProcessors();
    static Path state;
    static Cli cli;

    @BeforeAll
    static void setUp() throws IOException {
        state = Files.createTempDirectory("isola-cpus-state");
        cli = new Cli(state);
    }

    @AfterAll
    static void tearDown() {
        Cleanup.deleteTree(state);
    }

    @Test
    void moreCpusThanTheMachineHasIsRefusedWithTheMaximum() {
        for (String asked : new String[] {Integer.toString(HERE + 3), HERE + ".5"}) {
            Cli.Result r = cli.run("run", "--cpus", asked, "--", "/bin/true");
            CliUsageTest.assertOneLine(
                    r,
                    2,
                    "--cpus " + asked + " is more than the " + HERE + " CPU(s) here: use at most " + HERE
                            + ", or 0 for no cap");
        }
    }

    @Test
    void aPolicyAskingForMoreCpusPassesItsCheckWithAWarning() throws IOException {
        Path policy = state.resolve("many-cpus.toml");
        Files.writeString(policy, "version = 1\n[level.untrusted]\ncpus = " + (HERE + 6) + "\n");
        Cli.Result r = cli.run("policy", "check", policy.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(": ok");
        assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
        assertThat(r.err())
                .startsWith("isola: warning: ")
                .contains(
                        "level untrusted",
                        "cpus " + (HERE + 6),
                        "this machine has " + HERE + " CPU(s)",
                        "at most " + HERE);
    }

    @Test
    void aPolicyWithinTheMachinePassesWithoutAWarning() throws IOException {
        Path policy = state.resolve("one-cpu.toml");
        Files.writeString(policy, "version = 1\n[level.untrusted]\ncpus = 1\n");
        Cli.Result r = cli.run("policy", "check", policy.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
    }
}
