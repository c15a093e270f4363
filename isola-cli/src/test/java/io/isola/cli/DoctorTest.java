package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** isola doctor also tells a new user about this installation: VM image, policy, state and audit log. */
class DoctorTest {
    Path state;
    Path home;
    Cli cli;

    @BeforeEach
    void setUp() throws IOException {
        state = Files.createTempDirectory("isola-doctor-state");
        home = Files.createTempDirectory("isola-doctor-home");
        cli = new Cli(state);
    }

    @AfterEach
    void tearDown() {
        Cleanup.deleteTree(state);
        Cleanup.deleteTree(home);
    }

    @Test
    void saysWhereStateLivesAndHowBigItAndTheAuditLogAre() throws IOException {
        Files.write(state.resolve("audit.jsonl"), new byte[3 * 1024]);
        Files.createDirectories(state.resolve("quarantine/t0123456789ab"));
        Files.write(state.resolve("quarantine/t0123456789ab/big.bin"), new byte[2 << 20]);
        Cli.Result r = cli.run(Map.of("ISOLA_POLICY", TaskCliTest.EXAMPLE.toString()), null, "doctor");
        assertThat(r.out()).as(r.err()).contains("  info  state: " + state + " (2.0M)",
                "  info  audit log: " + state.resolve("audit.jsonl") + " (3.0K)",
                "  info  policy: " + TaskCliTest.EXAMPLE,
                "  note  vm image: not built (only --engine vm needs it): isola image build");
    }

    @Test
    void saysTheVmImageIsBuiltWithItsHash() throws IOException {
        // what isola image build leaves last: the content hash beside the kernel, initramfs and root file system
        Path image = Files.createDirectories(state.resolve("vm/image"));
        Files.writeString(image.resolve("hash"), "0123456789abcdef0123456789abcdef\n");
        Cli.Result r = cli.run("doctor");
        assertThat(r.out()).contains("  ok    vm image: built, sha256:0123456789ab… in " + image);
    }

    @Test
    void namesTheBuiltInPolicyWhenNoFileIsInForce() {
        Cli.Result r = cli.run(Map.of("HOME", home.toString(), "ISOLA_POLICY", ""), null, "doctor");
        if (Files.isRegularFile(Path.of("/etc/isola/policy.toml"))) {
            assertThat(r.out()).contains("  info  policy: /etc/isola/policy.toml");
        } else {
            assertThat(r.out()).contains("  info  policy: the built-in one");
        }
        assertThat(r.out()).contains("  info  audit log: " + state.resolve("audit.jsonl") + " (empty: no cell yet)");
    }

    @Test
    void aPolicyThatDoesNotLoadIsAProblem() throws IOException {
        Path bad = Files.writeString(home.resolve("bad.toml"), "version = 1\n[level.untrusted]\ntimeout = \"forever\"\n");
        Cli.Result r = cli.run(Map.of("ISOLA_POLICY", bad.toString()), null, "doctor");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("  FAIL  policy " + bad + ": ", "'forever' is not a duration");
    }
}
