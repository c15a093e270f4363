package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        assertThat(r.out())
                .as(r.err())
                .contains(
                        "  info  state: " + state + " (2.0M)",
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
        Path bad =
                Files.writeString(home.resolve("bad.toml"), "version = 1\n[level.untrusted]\ntimeout = \"forever\"\n");
        Cli.Result r = cli.run(Map.of("ISOLA_POLICY", bad.toString()), null, "doctor");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out())
                .contains(
                        "  FAIL  policy: " + bad + ": ",
                        "'forever' is not a duration",
                        ": isola policy check lists every error");
    }

    @Test
    void jsonIsOneObjectWithEveryCheckAndTheFacts() throws IOException {
        Files.write(state.resolve("audit.jsonl"), new byte[3 * 1024]);
        Path bad =
                Files.writeString(home.resolve("bad.toml"), "version = 1\n[level.untrusted]\ntimeout = \"forever\"\n");
        Cli.Result r = cli.run(Map.of("ISOLA_POLICY", bad.toString()), null, "doctor", "--json");
        Cli.Result text = cli.run(Map.of("ISOLA_POLICY", bad.toString()), null, "doctor");

        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.out().lines().toList()).hasSize(1);
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("ready").asBoolean()).isFalse();
        assertThat(j.get("problems").asInt())
                .isEqualTo(
                        text.out().lines().filter(l -> l.startsWith("  FAIL")).count());
        // every line of the text form, in order, each with its four keys
        List<String> textLines =
                text.out().lines().filter(l -> l.startsWith("  ")).toList();
        assertThat(j.get("checks")).hasSize(textLines.size());
        for (int i = 0; i < textLines.size(); i++) {
            JsonNode c = j.get("checks").get(i);
            assertThat(c.get("status").asText()).isIn("ok", "fail", "warn", "info");
            assertThat(textLines.get(i))
                    .contains(
                            c.get("name").asText(),
                            c.get("detail").asText(),
                            c.get("fix").asText());
        }
        JsonNode policy = find(j, "policy");
        assertThat(policy.get("status").asText()).isEqualTo("fail");
        assertThat(policy.get("detail").asText()).contains(bad.toString(), "'forever' is not a duration");
        assertThat(policy.get("fix").asText()).isEqualTo("isola policy check lists every error");
        assertThat(find(j, "running as root").get("status").asText()).isIn("ok", "fail");

        assertThat(j.get("vm-image").get("built").asBoolean()).isFalse();
        assertThat(j.get("vm-image").get("sha256").isNull()).isTrue();
        assertThat(j.get("vm-image").get("dir").asText())
                .isEqualTo(state.resolve("vm/image").toString());
        assertThat(j.get("vm-image").has("accelerator")).isTrue();
        assertThat(j.get("policy").get("file").asText()).isEqualTo(bad.toString());
        assertThat(j.get("policy").get("ok").asBoolean()).isFalse();
        assertThat(j.get("policy").get("error").asText()).contains("'forever' is not a duration");
        assertThat(j.get("state").get("dir").asText()).isEqualTo(state.toString());
        assertThat(j.get("state").get("bytes").asLong()).isEqualTo(3 * 1024);
        assertThat(j.get("audit-log").get("file").asText())
                .isEqualTo(state.resolve("audit.jsonl").toString());
        assertThat(j.get("audit-log").get("bytes").asLong()).isEqualTo(3 * 1024);
    }

    @Test
    void jsonSaysNullForWhatDoesNotExistYet() throws IOException {
        Cleanup.deleteTree(state);
        Cli.Result r = cli.run(Map.of("HOME", home.toString(), "ISOLA_POLICY", ""), null, "doctor", "--json");
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("state").get("bytes").isNull()).as(r.out()).isTrue();
        assertThat(j.get("audit-log").get("bytes").isNull()).isTrue();
        assertThat(j.get("policy").get("ok").asBoolean()).isTrue();
        assertThat(j.get("policy").get("error").isNull()).isTrue();
    }

    private static JsonNode find(JsonNode doctor, String name) {
        for (JsonNode c : doctor.get("checks")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + doctor);
    }
}
