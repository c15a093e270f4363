package io.isola.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Cell;
import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Engine;
import io.isola.core.Limits;
import io.isola.core.Stdio;
import io.isola.core.audit.AuditEvent;
import io.isola.core.policy.NetworkAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Network by trust, attacked from inside real cells through the real proxy: an internet cell reaches the public test
 * host and nothing else, whatever name, encoding, resolve trick, TLS name or redirect it tries, and every refusal is
 * an audit event with its cell's id; a trusted cell reaches the intranet; a cell of network none reaches nothing.
 * Each test runs in every engine ({@link NetEngines}).
 */
class NetworkAttackTest extends WithTasks {
    /** Prints "LABEL EXIT HTTP-CODE [CONNECT-CODE]" for one request through the cell's proxy. */
    private static final String TRY = "t() { l=$1; shift; c=$(curl -s -o /dev/null -w '%{http_code} %{http_connect}' "
            + "--max-time 10 -x http://127.0.0.1:3128 --noproxy '' \"$@\"); echo \"$l $? $c\"; }; ";

    static TestHosts hosts;

    @BeforeAll
    static void hosts() throws Exception {
        hosts = TestHosts.create(h.audit);
    }

    @AfterAll
    static void closeHosts() throws Exception {
        if (hosts != null) {
            hosts.close();
        }
    }

    record Ran(String cellId, String out, String err) {
        /** The "EXIT HTTP CONNECT" a labelled request ended with. */
        String result(String label) {
            return out.lines()
                    .filter(l -> l.startsWith(label + " "))
                    .map(l -> l.substring(label.length() + 1))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no line for " + label + " in:\n" + out + err));
        }
    }

    private static Ran cell(String engineName, NetworkAccess access, String script) throws Exception {
        Assumptions.assumeTrue(hosts != null, "needs root and iproute2 to make the test hosts");
        Engine engine = NetEngines.engine(engineName, h);
        CellSpec spec = new CellSpec(
                engineName,
                "host",
                List.of("/bin/sh", "-c", script),
                CellEnvironment.build(Map.of(), List.of()),
                List.of(),
                null,
                hosts.networks.forAccess(access),
                Limits.DEFAULT);
        Path io = Files.createTempDirectory("isola-net-e2e");
        try {
            Path in = Files.createFile(io.resolve("in")), out = io.resolve("out"), err = io.resolve("err");
            try (Cell cell = engine.start(spec, Stdio.files(in, out, err))) {
                cell.waitFor(Duration.ofSeconds(240)).orElseThrow(() -> new AssertionError("cell hung"));
                return new Ran(cell.id(), Files.readString(out), Files.readString(err));
            }
        } finally {
            TaskHarness.delete(io);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sandbox", "vm"})
    void anInternetCellReachesThePublicHostAndNothingElseWhateverItTries(String engine) throws Exception {
        var n = hosts == null ? null : hosts.net;
        Assumptions.assumeTrue(n != null, "needs root and iproute2 to make the test hosts");
        int intranetBefore = hosts.intranetWeb.connections.get();
        int hellosBefore = hosts.tls.tlsHellos.size();
        long intranetDecimal = Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(
                        io.isola.net.FakeDns.address(n.intranet).getAddress())
                .getInt());
        String refused = String.join(
                "; ",
                "t intranet http://" + n.intranet + "/",
                "t intranet-name http://intra.example.com/",
                "t metadata http://169.254.169.254/latest/meta-data/",
                "t metadata-name http://meta.example.com/",
                "t host-own http://" + n.internetHost + "/",
                "t host-own-name http://self.example.com/",
                "t loopback http://127.0.0.1/",
                "t loopback-name http://home.example.com/",
                "t loopback-v6 'http://[::1]/'",
                "t any http://0.0.0.0/",
                "t mixed-answer http://mixed.example.com/",
                "t resolve-trick --resolve intra.example.com:80:" + n.internet + " http://intra.example.com/",
                "t decimal --request-target http://" + intranetDecimal + "/ http://www.example.com/",
                "t octal --request-target http://0177.0.0.1/ http://www.example.com/",
                "t hex --request-target http://0x7f.1/ http://www.example.com/",
                "t decimal-loopback --request-target http://2130706433/ http://www.example.com/",
                "t other-port http://www.example.com:8080/",
                "t redirect -L 'http://" + n.internet + "/redirect?http://" + n.intranet + "/'",
                "t connect-intranet -k https://intra.example.com/");
        Ran r = cell(
                engine,
                NetworkAccess.INTERNET,
                TRY
                        + "curl -s --max-time 10 http://" + n.internet + "/; echo \"env-proxy $?\"; "
                        + "t public-name http://www.example.com/; "
                        + "t resolve-to-public --resolve www.example.com:80:" + n.intranet
                        + " http://www.example.com/; "
                        + refused + "; "
                        // A TLS name other than the CONNECT host: the proxy must not pass the hello on.
                        + "echo | openssl s_client -proxy 127.0.0.1:3128 -connect www.example.com:443 -servername "
                        + "intra.example.com >/dev/null 2>&1; echo \"sni-mismatch $?\"; "
                        // Without the proxy: no route, no raw socket.
                        + "curl -s --noproxy '*' --max-time 5 http://" + n.internet + "/; echo \"direct $?\"; "
                        + "python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, 1)' 2>/dev/null; "
                        + "echo \"raw $?\"");
        String all = r.out() + r.err();
        assertThat(r.out()).as(all).contains("hello from internet\nenv-proxy 0");
        assertThat(r.result("public-name")).as(all).isEqualTo("0 200 000");
        // --resolve changes nothing: the proxy resolves the name itself, so this reaches the public host.
        assertThat(r.result("resolve-to-public")).as(all).isEqualTo("0 200 000");
        for (String l : refused.split("; ")) {
            String label = l.split(" ")[1];
            assertThat(r.result(label)).as(label + "\n" + all).matches("\\d+ (403|502) \\d+|56 000 403|\\d+ 000 403");
        }
        assertThat(r.result("sni-mismatch")).isNotEqualTo("0");
        assertThat(r.result("direct")).as(all).isEqualTo("7");
        assertThat(r.result("raw")).as(all).isNotEqualTo("0");
        assertThat(hosts.intranetWeb.connections.get())
                .as("nothing reached the intranet host")
                .isEqualTo(intranetBefore);
        assertThat(hosts.tls.tlsHellos.size())
                .as("no mismatched hello reached the TLS host")
                .isEqualTo(hellosBefore);
        List<AuditEvent> blocked = hosts.events(r.cellId(), "connection.blocked");
        // every refused request (the redirect's second hop included) and the TLS name is an event of this cell
        assertThat(blocked).as(blocked.toString()).hasSizeGreaterThanOrEqualTo(refused.split("; ").length + 1);
        assertThat(blocked)
                .extracting(e -> String.valueOf(e.fields().get("rule")))
                .anyMatch(rule -> rule.startsWith("intranet destination 10.77.0.0/16"))
                .anyMatch(rule -> rule.contains("link-local"))
                .anyMatch(rule -> rule.contains("this host's own"))
                .anyMatch(rule -> rule.equals("sni-mismatch"))
                .anyMatch(rule -> rule.equals("numeric-host"))
                .anyMatch(rule -> rule.contains("port 8080"));
        assertThat(blocked)
                .extracting(e -> String.valueOf(e.fields().get("address")))
                .contains("127.0.0.1", "169.254.169.254", n.internetHost, n.intranet, "0.0.0.0")
                .containsAnyOf("::1", "0:0:0:0:0:0:0:1");
        assertThat(blocked).allMatch(e -> "internet".equals(e.fields().get("level")));
        assertThat(hosts.events(r.cellId(), "connection.allowed")).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sandbox", "vm"})
    void aTrustedCellReachesTheIntranetButNotLinkLocal(String engine) throws Exception {
        Assumptions.assumeTrue(hosts != null, "needs root and iproute2 to make the test hosts");
        var n = hosts.net;
        Ran r = cell(
                engine,
                NetworkAccess.TRUSTED,
                TRY + "curl -s --max-time 10 http://" + n.intranet + "/; "
                        + "curl -s --max-time 10 http://wiki.corp.example.com/; t metadata http://169.254.169.254/");
        assertThat(r.out()).as(r.err()).contains("hello from intranet\nhello from intranet\n");
        assertThat(r.result("metadata")).isEqualTo("0 403 000");
        assertThat(hosts.events(r.cellId(), "connection.allowed"))
                .extracting(e -> e.fields().get("rule"))
                .contains("intranet destination 10.77.0.0/16", "intranet destination *.corp.example.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sandbox", "vm"})
    void aCellOfNetworkNoneReachesNothing(String engine) throws Exception {
        Assumptions.assumeTrue(hosts != null, "needs root and iproute2 to make the test hosts");
        var n = hosts.net;
        Ran r = cell(
                engine,
                NetworkAccess.NONE,
                "env | grep -ci _proxy=; "
                        + "curl -s --max-time 5 -x http://127.0.0.1:3128 http://" + n.internet
                        + "/; echo \"proxy $?\"; "
                        + "curl -s --max-time 5 --noproxy '*' http://" + n.internet + "/; echo \"direct $?\"");
        assertThat(r.out()).as(r.err()).isEqualTo("0\nproxy 7\ndirect 7\n");
        assertThat(hosts.events(r.cellId(), "connection.allowed")).isEmpty();
    }
}
