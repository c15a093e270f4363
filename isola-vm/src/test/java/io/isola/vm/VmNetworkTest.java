package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Cell;
import io.isola.core.CellExit;
import io.isola.core.CellSpec;
import io.isola.core.Stdio;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM cell that reaches out finds a proxy on its own loopback, relayed over the network port to the egress with the
 * cell's id, and nothing else: no interface but lo, no route. Real QEMU clones (TCG here), real curl in the guest;
 * the egress is a stand-in ({@link NetTestEgress}). Nothing is sent anywhere but the guest's loopback.
 */
@Tag("qemu")
class VmNetworkTest {
    private static final String CURL = "curl -s -m 60 ";

    @TempDir
    Path tmp;

    record Ran(String cellId, CellExit exit, String out, String err) {}

    private Ran run(CellSpec spec) throws Exception {
        try (Cell c = TestVms.engine()
                .start(spec, Stdio.files(Path.of("/dev/null"), tmp.resolve("out"), tmp.resolve("err")))) {
            CellExit e = c.waitFor(Duration.ofSeconds(180)).orElseThrow(() -> new AssertionError("hung"));
            return new Ran(c.id(), e, Files.readString(tmp.resolve("out")), Files.readString(tmp.resolve("err")));
        } finally {
            Files.deleteIfExists(tmp.resolve("out"));
            Files.deleteIfExists(tmp.resolve("err"));
        }
    }

    @Test
    void aRequestThroughTheProxyReachesTheEgressWithTheCellsIdOverBothLoopbacks() throws Exception {
        NetTestEgress egress = new NetTestEgress();
        Ran r = run(NetTestEgress.spec(
                egress,
                "env | grep -i _proxy= | sort; grep -c 00000000000000000000000000000001 "
                        + "/proc/net/if_inet6; " + CURL + "http://example.test/v4; echo \"curl $?\"; "
                        + CURL + "-x 'http://[::1]:3128' http://example.test/v6; echo \"curl $?\""));
        assertThat(r.out())
                .as(r.err())
                .contains(
                        "http_proxy=http://127.0.0.1:3128",
                        "HTTPS_PROXY=http://127.0.0.1:3128",
                        "ALL_PROXY=http://127.0.0.1:3128",
                        "no_proxy=localhost,127.0.0.1,::1")
                .containsSubsequence(
                        "1\n", "via egress for " + r.cellId(), "curl 0", "via egress for " + r.cellId(), "curl 0");
        NetTestEgress.Seen first = egress.seen.poll(5, TimeUnit.SECONDS);
        NetTestEgress.Seen second = egress.seen.poll(5, TimeUnit.SECONDS);
        assertThat(List.of(first, second))
                .extracting(NetTestEgress.Seen::cellId)
                .containsOnly(r.cellId());
        assertThat(first.requestLine()).isEqualTo("GET http://example.test/v4 HTTP/1.1");
        assertThat(second.requestLine()).isEqualTo("GET http://example.test/v6 HTTP/1.1");
    }

    @Test
    void aCellWithoutNetworkHasNoProxyAddressAndNoProxySettings() throws Exception {
        Ran r = run(NetTestEgress.spec(
                null,
                "env | grep -ci _proxy=; grep -c ':0C38 00000000:0000 0A' "
                        + "/proc/net/tcp /proc/net/tcp6; " + CURL + "-x http://127.0.0.1:3128 http://example.test/; "
                        + "echo \"curl $?\""));
        assertThat(r.out())
                .as(r.err())
                .containsSubsequence("0\n", "/proc/net/tcp:0", "/proc/net/tcp6:0", "curl 7")
                .doesNotContain("via egress");
    }

    @Test
    void theGuestHasNoInterfaceButLoopbackAndNoRoute() throws Exception {
        NetTestEgress egress = new NetTestEgress();
        Ran r = run(NetTestEgress.spec(
                egress,
                "echo links; ls /sys/class/net; echo routes; "
                        + "tail -n +2 /proc/net/route; grep -v ' lo$' /proc/net/ipv6_route; echo end; "
                        + "curl -s --noproxy '*' --connect-timeout 3 http://10.0.2.2/; echo \"direct $?\""));
        assertThat(r.out()).as(r.err()).startsWith("links\nlo\nroutes\nend\n").doesNotContain("direct 0");
    }

    @Test
    void aLargeDownloadArrivesIntact() throws Exception {
        int size = 16 << 20;
        NetTestEgress egress = new NetTestEgress();
        String expected =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(NetTestEgress.content(size)));
        Ran r = run(NetTestEgress.spec(
                egress,
                "s=$(date +%s%N); " + CURL + "http://example.test/big/" + size
                        + " | sha256sum; e=$(date +%s%N); echo \"ms $(( (e - s) / 1000000 ))\""));
        assertThat(r.out()).as(r.err()).startsWith(expected + "  -\n");
        long ms = Long.parseLong(r.out()
                .lines()
                .filter(l -> l.startsWith("ms "))
                .findFirst()
                .orElseThrow()
                .substring(3));
        System.out.printf(
                "[vm net] 16 MiB through the proxy in %d ms (guest clock): %.1f MB/s%n",
                ms, size / 1e6 / (ms / 1000.0));
    }

    @Test
    void aConnectionWhoseReaderStallsDoesNotStallTheOthers() throws Exception {
        int big = 8 << 20;
        NetTestEgress egress = new NetTestEgress();
        // The first download's reader sleeps: curl fills the pipe, stops reading its socket, and its connection's
        // window fills. The others must still go through, on the same port, while it is stuck.
        Ran r = run(NetTestEgress.spec(
                egress,
                "(" + CURL + "http://example.test/big/" + big + " | sleep 40) "
                        + ">/dev/null 2>&1 & sleep 2; s=$(date +%s); p=; for i in 1 2 3 4; do " + CURL
                        + "http://example.test/n$i & p=\"$p $!\"; done; wait $p; echo \"others done in $(( $(date +%s) - s ))"
                        + " s\""));
        assertThat(r.out())
                .as(r.err())
                .containsSubsequence(
                        "via egress for", "via egress for", "via egress for", "via egress for", "others done in ");
        long seconds = Long.parseLong(r.out().replaceAll("(?s).*others done in (\\d+) s.*", "$1"));
        assertThat(seconds).as("the others waited for the stalled one").isLessThan(30);
        assertThat(egress.bigWritten.get())
                .as("the stalled download was paused, not buffered")
                .isLessThan(big);
    }

    @Test
    void closingTheCellClosesEveryConnectionTheEgressHoldsAndLeavesNoThreadOrDescriptor() throws Exception {
        NetTestEgress egress = new NetTestEgress();
        run(NetTestEgress.spec(egress, CURL + "http://example.test/warm-up")); // JVM-wide lazy descriptors
        awaitPool();
        int socketsBefore = sockets().size();
        Path out = tmp.resolve("held");
        String cellId;
        try (Cell cell = TestVms.engine()
                .start(
                        NetTestEgress.spec(
                                egress,
                                CURL + "http://example.test/hold & " + CURL + "http://example.test/hold & sleep 100"),
                        Stdio.files(Path.of("/dev/null"), out, out))) {
            cellId = cell.id();
            List<NetTestEgress.Seen> held = new ArrayList<>();
            while (held.size() < 2) {
                NetTestEgress.Seen s = egress.seen.poll(60, TimeUnit.SECONDS);
                assertThat(s).as("a held connection reached the egress").isNotNull();
                if (s.cellId().equals(cell.id())) {
                    held.add(s);
                }
            }
            assertThat(held).allMatch(s -> s.connection().isOpen());
            assertThat(netThreads(cellId)).hasSize(1);
            cell.close();
            assertThat(held)
                    .as("the held connections closed with their cell")
                    .noneMatch(s -> s.connection().isOpen());
        }
        assertThat(netThreads(cellId)).isEmpty();
        // The pool refills meanwhile, a new clone with three socket pairs of its own: count, once it is ready.
        awaitPool();
        assertThat(sockets()).as("sockets left after the cell closed").hasSize(socketsBefore);
    }

    private static void awaitPool() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (TestVms.engine().poolReady() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private static List<Thread> netThreads(String cellId) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("vm-net-" + cellId) && t.isAlive())
                .toList();
    }

    private static List<String> sockets() throws Exception {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.startsWith("socket:")) {
                        out.add(target);
                    }
                } catch (java.io.IOException gone) {
                    // the listing's own descriptor, or one closed meanwhile
                }
            }
        }
        return out;
    }
}
