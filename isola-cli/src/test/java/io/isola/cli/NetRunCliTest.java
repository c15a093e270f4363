package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.net.FakeDns;
import io.isola.net.NsHttpServer;
import io.isola.net.TestNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Network by trust from the command line, end to end: {@code isola run --net LEVEL} and {@code isola open URL} against
 * test hosts in a network namespace this test makes, the proxy asking a fake DNS server on loopback (ISOLA_DNS).
 * Nothing is sent anywhere but loopback and that namespace.
 */
@Tag("kernel")
class NetRunCliTest {
    static TestNetwork net;
    static FakeDns dns;
    static NsHttpServer internet, intranet;
    static Path dir;
    static Cli cli;
    static Map<String, String> env;

    @BeforeAll
    static void setUp() throws Exception {
        net = TestNetwork.create();
        if (net == null) {
            return;
        }
        dns = new FakeDns().name("intra.example.com", net.intranet);
        internet = new NsHttpServer(net.listen(net.internet, 80), "internet", false);
        intranet = new NsHttpServer(net.listen(net.intranet, 80), "intranet", false);
        dir = Files.createTempDirectory(
                Files.createDirectories(Path.of("target").toAbsolutePath()), "net-cli");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path policy = Files.writeString(dir.resolve("policy.toml"), """
                version = 1
                [level.untrusted]
                persistence = "quarantine"
                [level.untrusted.handlers]
                "x-scheme-handler/http" = ["curl", "-fsSL", "-o", "{output}/{name}", "{url}"]
                "text/*" = ["cat", "{file}"]
                [network]
                intranet = ["10.77.0.0/16"]
                treat-as-public = ["198.51.100.0/24"]
                """);
        env = Map.of("ISOLA_DNS", "127.0.0.1:" + dns.address().getPort(), "ISOLA_POLICY", policy.toString());
        cli = new Cli(dir.resolve("state"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (net != null) {
            internet.close();
            intranet.close();
            dns.close();
            net.close();
            Cleanup.deleteTree(dir);
        }
    }

    private static Cli.Result isola(String... args) {
        Assumptions.assumeTrue(net != null, "needs root and iproute2 to make the test hosts");
        return cli.run(env, null, args);
    }

    @Test
    void runHasNoNetworkUnlessAskedAndThenOnlyWhatItsLevelReaches() {
        String get = "curl -s -m 10 -w ' %{http_code}' http://";
        assertThat(isola("run", "--", "/bin/sh", "-c", get + net.internet + "/; echo \" $?\"")
                        .out())
                .isEqualTo(" 000 7\n");
        Cli.Result r = isola(
                "run",
                "--net",
                "internet",
                "--",
                "/bin/sh",
                "-c",
                get + net.internet + "/; echo; " + get + net.intranet + "/; echo; " + get + "intra.example.com/");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .startsWith("hello from internet\n 200\n")
                .contains("isola: blocked: intranet destination")
                .endsWith(" 403");
        String cell = cli.audit().stream()
                .filter(l -> l.contains("\"cell.created\"") && l.contains("\"proxy\""))
                .reduce((a, b) -> b)
                .orElseThrow()
                .replaceAll(".*\"cell\":\"([^\"]+)\".*", "$1");
        assertThat(cli.audit())
                .filteredOn(l -> l.contains("\"connection.blocked\"") && l.contains(cell))
                .hasSize(2);
        assertThat(isola("run", "--net", "trusted", "--", "curl", "-s", "-m", "10", "http://intra.example.com/")
                        .out())
                .isEqualTo("hello from intranet\n");
    }

    @Test
    void openUrlFetchesThroughTheProxyTaintsAndOpens() throws Exception {
        String url = "http://" + (net == null ? "" : net.internet) + "/doc.txt";
        Cli.Result r = isola("open", url);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello from internet\n");
        assertThat(r.err()).contains("fetched doc.txt", "doc.txt is text/plain, untrusted");
        Cli.Result refused = isola("open", "http://intra.example.com/x.txt");
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err())
                .contains("isola: the fetch was refused by the network policy: intra.example.com:80 (" + net.intranet
                        + "): intranet destination 10.77.0.0/16: not for internet cells");
    }

    @Test
    void aNetworkLevelThatIsNoneOfTheThreeIsAUsageError() {
        CliUsageTest.assertOneLine(
                isola("run", "--net", "lan", "--", "true"),
                2,
                "--net lan is not a network level: use none, internet or trusted");
    }

    @Test
    void runWithoutNetLoadsNoneOfTheProxysClasses() throws Exception {
        Assumptions.assumeTrue(net != null, "needs root and iproute2 to make the test hosts");
        ProcessBuilder pb = cli.builder(env, "run", "--", "/bin/true");
        List<String> cmd = new java.util.ArrayList<>(pb.command());
        cmd.add(1, "-Xlog:class+load=info:stdout");
        Process p = pb.command(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor())
                .as(log.lines().filter(l -> !l.startsWith("[")).toList().toString())
                .isZero();
        assertThat(log)
                .contains("io.isola.sandbox.SandboxEngine")
                .doesNotContain("io.isola.net.")
                .doesNotContain("io.isola.task.ProxyNetworks");
    }
}
