package io.isola.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.audit.AuditEvent;
import io.isola.core.trust.Marks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code isola open URL} end to end: the link is fetched inside a cell of its level, through the real proxy to a test
 * host, tainted with the link, and opened by the level's handler for its type in a new cell; a refusal says which
 * rule refused and how to see why. Files open on their level's network; a safe view's rendering has none.
 */
class LinkFetchTest extends WithTasks {
    static TestHosts hosts;

    @BeforeAll
    static void hosts() throws Exception {
        hosts = TestHosts.create(h.audit);
        if (hosts != null) {
            h.networks = hosts.networks;
        }
    }

    @AfterAll
    static void closeHosts() throws Exception {
        h.networks = CellNetworks.NONE;
        if (hosts != null) {
            hosts.close();
        }
    }

    private static String policy(String engine, String network) {
        Assumptions.assumeTrue(hosts != null, "needs root and iproute2 to make the test hosts");
        return "version = 1\n[level.untrusted]\nengine = \"" + engine + "\"\npersistence = \"quarantine\"\n"
                + "network = \"" + network + "\"\n[level.untrusted.handlers]\n"
                + "\"x-scheme-handler/http\" = [\"curl\", \"-fsSL\", \"-o\", \"{output}/{name}\", \"{url}\"]\n"
                + "\"text/*\" = [\"cat\", \"{file}\"]\n" + TestHosts.NETWORK;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sandbox", "vm"})
    void aLinkIsFetchedInACellThroughTheProxyTaintedAndOpenedByItsTypesHandler(String engine) throws Exception {
        String url = "http://" + (hosts == null ? "" : hosts.net.internet) + "/doc.txt";
        NetEngines.engine(engine, h); // skips, saying why, where this engine cannot run it
        TaskHarness.Result r = h.link(policy(engine, "internet"), url);
        assertThat(r.code()).as(r.report() + r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello from internet\n"); // cat, the text handler, in a second cell
        assertThat(r.report())
                .contains(
                        "is untrusted",
                        "fetched doc.txt (20 bytes)",
                        "through the untrusted network",
                        "doc.txt is text/plain");
        Path kept = OpenTaskTest.keptFile(r.report());
        assertThat(Files.readString(kept)).isEqualTo("hello from internet\n");
        assertThat(Marks.read(kept).get(Marks.XDG_ORIGIN)).isEqualTo(url);
        assertThat(Marks.read(kept).get(Marks.TRUST)).isEqualTo("untrusted");
        assertThat(hosts.internetWeb.requests).anyMatch(q -> q.startsWith("GET /doc.txt HTTP/1.1"));
        assertThat(h.auditLines())
                .anyMatch(l -> l.contains("\"connection.allowed\"") && l.contains(hosts.net.internet));
    }

    @Test
    void aRefusedFetchSaysWhichRuleRefusedAndHowToSeeWhyInOneLine() {
        int before = hosts == null ? 0 : hosts.intranetWeb.connections.get();
        String p = policy("sandbox", "internet");
        var direct = h.link(p, "http://" + hosts.net.intranet + "/secret.txt");
        var redirected =
                h.link(p, "http://" + hosts.net.internet + "/redirect?http://" + hosts.net.intranet + "/secret.txt");
        for (var r : List.of(direct, redirected)) {
            assertThat(r.code()).isNotZero();
            List<String> why =
                    r.report().lines().filter(l -> l.contains("refused")).toList();
            assertThat(why)
                    .as(r.report())
                    .containsExactly("isola: the fetch was refused by the network policy: "
                            + hosts.net.intranet
                            + ":80: intranet destination 10.77.0.0/16: not for internet cells (untrusted "
                            + "cells, network internet); nothing was opened. See why: isola net explain "
                            + hosts.net.intranet + ":80 --level untrusted; the policy's [network] section decides "
                            + "(docs/network.md)");
            assertThat(r.out()).isEmpty();
        }
        assertThat(hosts.intranetWeb.connections.get()).isEqualTo(before);
    }

    @Test
    void aLevelOfNetworkNoneFetchesNothingAndSaysWhy() {
        var r = h.link(policy("sandbox", "none"), "http://" + (hosts == null ? "x" : hosts.net.internet) + "/doc.txt");
        assertThat(r.code()).isNotZero();
        assertThat(r.report())
                .contains("the fetch was refused: the cell has no network (loopback only): untrusted "
                        + "cells have no network (the policy's [level.untrusted] network = \"none\")");
    }

    @Test
    void theSafeViewOfALinkFetchesThroughTheProxyAndRendersWithoutANetwork() throws Exception {
        String p = policy("sandbox", "internet");
        Path out = TaskHarness.folder("link-view");
        String url = "http://" + hosts.net.internet + "/notes.txt";
        var r = h.run(p, (ctx, stdio) -> new LinkTask(ctx).view(url, new ViewTask.Options(out, false), stdio));
        assertThat(r.code()).as(r.report()).isZero();
        assertThat(out.resolve("notes.safe.pdf")).isRegularFile();
        List<String> created = h.auditLines().stream()
                .filter(l -> l.contains("\"cell.created\""))
                .toList();
        String fetch = created.stream()
                .filter(l -> l.contains("curl"))
                .reduce((a, b) -> b)
                .orElseThrow();
        String render = created.getLast();
        assertThat(fetch).contains("\"network\":\"proxy\"");
        assertThat(render).doesNotContain("curl").contains("\"network\":\"loopback_only\"");
    }

    @Test
    void aFileOpensOnItsLevelsNetwork() throws Exception {
        Path doc = Files.writeString(TaskHarness.folder("net-open").resolve("a.txt"), "local\n");
        String fetchIn = "version = 1\n[level.untrusted]\nnetwork = \"%s\"\n[level.untrusted.handlers]\n"
                + "\"text/*\" = [\"/bin/sh\", \"-c\", \"curl -s --max-time 5 http://"
                + (hosts == null ? "x" : hosts.net.internet) + "/; echo curl $?\"]\n" + TestHosts.NETWORK;
        Assumptions.assumeTrue(hosts != null, "needs root and iproute2 to make the test hosts");
        assertThat(h.open(fetchIn.formatted("internet"), doc).out()).isEqualTo("hello from internet\ncurl 0\n");
        assertThat(h.open(fetchIn.formatted("none"), doc).out()).isEqualTo("curl 7\n");
        AuditEvent last = hosts.events.getLast();
        assertThat(last.type()).isEqualTo("connection.allowed");
    }
}
