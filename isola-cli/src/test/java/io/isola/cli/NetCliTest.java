package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code isola net explain}, as a user runs it. Only addresses are judged here, or names the policy decides alone,
 * and ISOLA_DNS names a loopback port where nothing answers, so nothing is ever sent off this machine.
 */
class NetCliTest {
    @TempDir
    Path dir;

    private Cli.Result run(String... args) throws Exception {
        Path policy = dir.resolve("policy.toml");
        Files.writeString(policy, """
                version = 1
                [network]
                intranet = ["10.0.0.0/8", "*.corp.example.com"]
                high-value = ["*.salesforce.com"]
                treat-as-public = ["198.51.100.0/24"]
                """);
        String[] all = new String[args.length + 3];
        all[0] = "net";
        all[1] = "--policy";
        all[2] = policy.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return new Cli(dir.resolve("state")).run(Map.of("ISOLA_DNS", "127.0.0.1:9"), null, all);
    }

    @Test
    void explainsAnAllowedAddressWithExitZero() throws Exception {
        Cli.Result r = run("explain", "http://198.51.100.7/x");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .startsWith("198.51.100.7:80: allowed for untrusted cells (network internet)\n")
                .contains("198.51.100.7: allowed: public (treat-as-public)");
    }

    @Test
    void explainsABlockedDestinationWithItsRuleAndExitOne() throws Exception {
        Cli.Result r = run("explain", "169.254.169.254:80");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("blocked").contains("link-local (169.254.0.0/16)");
        Cli.Result name = run("explain", "--json", "https://wiki.corp.example.com/");
        assertThat(name.code()).isEqualTo(1);
        assertThat(name.out())
                .contains("\"decision\":\"blocked\"")
                .contains("\"rule\":\"intranet destination *.corp.example.com: not for internet cells\"");
    }

    @Test
    void aTrustedCellMayReachTheIntranet() throws Exception {
        Cli.Result r = run("explain", "--level", "trusted", "10.1.2.3:22");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("intranet destination 10.0.0.0/8");
    }

    @Test
    void refusesNumericFormsAndBadLevelsInOneLine() throws Exception {
        Cli.Result r = run("explain", "2130706433:443");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip())
                .startsWith("isola: '2130706433:443' cannot be judged: '2130706433' is a number")
                .doesNotContain("\n")
                .doesNotContain("Exception");
        Cli.Result level = run("explain", "--level", "admin", "example.com");
        assertThat(level.code()).isEqualTo(2);
        assertThat(level.err()).contains("--level must be untrusted or trusted");
    }
}
