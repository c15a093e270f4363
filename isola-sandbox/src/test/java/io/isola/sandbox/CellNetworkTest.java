package io.isola.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Cell;
import io.isola.core.CellExit;
import io.isola.core.CellSpec;
import io.isola.core.Stdio;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A cell that reaches out gets a proxy address on its own loopback, and nothing else: every connection there reaches
 * the egress with the cell's id, and a task that ignores the proxy reaches nothing. Real bwrap cells, real sockets;
 * the egress is a stand-in ({@link TestEgress}). Nothing is sent anywhere but loopback and the cells' namespaces:
 * the host addresses a cell tries have no route from inside it.
 */
class CellNetworkTest extends WithEngine {
    private static final String CURL = "curl -s -m 10 ";

    record Ran(String cellId, TestCells.Result result) {
        String out() {
            return result.out();
        }
    }

    @Test
    void aRequestThroughTheProxyReachesTheEgressWithTheCellsIdAndGetsItsAnswer() throws Exception {
        TestEgress egress = new TestEgress(false);
        Ran r = run(TestEgress.spec(
                egress,
                "env | grep -i _proxy= | sort; " + CURL + "http://example.test/v4; echo \"curl $?\"; " + CURL
                        + "-x 'http://[::1]:3128' http://example.test/v6; echo \"curl $?\""));
        assertThat(r.out())
                .as(r.result().err())
                .contains(
                        "http_proxy=http://127.0.0.1:3128",
                        "HTTPS_PROXY=http://127.0.0.1:3128",
                        "ALL_PROXY=http://127.0.0.1:3128",
                        "no_proxy=localhost,127.0.0.1,::1")
                .containsSubsequence(
                        "via egress for " + r.cellId(), "curl 0", "via egress for " + r.cellId(), "curl 0");
        TestEgress.Seen first = egress.seen.poll(5, TimeUnit.SECONDS);
        TestEgress.Seen second = egress.seen.poll(5, TimeUnit.SECONDS);
        assertThat(List.of(first, second)).extracting(TestEgress.Seen::cellId).containsOnly(r.cellId());
        // curl sends the absolute form to a proxy: no name was resolved in the cell.
        assertThat(first.requestLine()).isEqualTo("GET http://example.test/v4 HTTP/1.1");
        assertThat(second.requestLine()).isEqualTo("GET http://example.test/v6 HTTP/1.1");
    }

    @Test
    void aCellWithoutNetworkHasNoProxyAddressAndNoProxySettings() {
        Ran r = run(TestEgress.spec(
                null,
                "env | grep -ci _proxy=; grep -c ':0C38 00000000:0000 0A' "
                        + "/proc/net/tcp /proc/net/tcp6; " + CURL + "-x http://127.0.0.1:3128 http://example.test/; "
                        + "echo \"curl $?\"; ip link set lo down 2>/dev/null || echo 'lo down refused'; ip route"));
        assertThat(r.out())
                .as(r.result().err())
                .containsSubsequence("0", "/proc/net/tcp:0", "/proc/net/tcp6:0", "curl 7")
                .doesNotContain("via egress")
                .endsWith("lo down refused\n");
    }

    @Test
    void aTaskThatIgnoresTheProxyReachesNothingAndCannotTakeOrChangeItsNetwork() throws Exception {
        TestEgress egress = new TestEgress(false);
        try (ServerSocketChannel host = ServerSocketChannel.open()) {
            // The test's "host server", on every address of the host: no cell may reach it at any of them.
            host.bind(new InetSocketAddress(0));
            host.configureBlocking(false);
            int port = ((InetSocketAddress) host.getLocalAddress()).getPort();
            StringBuilder direct = new StringBuilder("for a in 127.0.0.1 '[::1]'");
            for (String a : hostAddresses()) {
                direct.append(" '").append(a).append('\'');
            }
            direct.append("; do curl -s --noproxy '*' --connect-timeout 3 http://$a:")
                    .append(port)
                    .append("/; echo \"direct $a $?\"; done; ");
            Ran r = run(TestEgress.spec(egress, direct + """
                    echo routes; ip route; ip -6 route | grep -v '^::1 \\|^fe80'; echo links; ip -o link | cut -d: -f2
                    perl -e 'use Socket; socket(S, AF_INET, SOCK_RAW, 1) or print "raw4 $!\\n";
                      socket(S6, AF_INET6, SOCK_RAW, 58) or print "raw6 $!\\n"'
                    perl -e 'use Socket qw(:DEFAULT inet_pton); socket(S, AF_INET, SOCK_STREAM, 0) or die;
                      setsockopt(S, SOL_SOCKET, SO_REUSEADDR, 1);
                      setsockopt(S, SOL_SOCKET, SO_REUSEPORT, 1);
                      bind(S, pack_sockaddr_in(3128, inet_aton("127.0.0.1"))) or print "bind4 $!\\n";
                      socket(T, AF_INET6, SOCK_STREAM, 0) or die; setsockopt(T, SOL_SOCKET, SO_REUSEPORT, 1);
                      bind(T, pack_sockaddr_in6(3128, inet_pton(AF_INET6, "::1"))) or print "bind6 $!\\n"' 2>&1
                    ip link set lo down 2>/dev/null || echo "lo down refused"
                    ip addr add 10.9.9.9/32 dev lo 2>/dev/null || echo "addr add refused"
                    ip route add default dev lo 2>/dev/null || echo "route add refused"
                    """ + CURL + "http://example.test/still; echo \"curl $?\""));
            String out = r.out();
            assertThat(out.lines().filter(l -> l.startsWith("direct ")).toList())
                    .as(out)
                    .hasSize(2 + hostAddresses().size())
                    .noneMatch(l -> l.endsWith(" 0"));
            assertThat(host.accept())
                    .as("the host server was reached from a cell")
                    .isNull();
            assertThat(out.substring(out.indexOf("routes"), out.indexOf("links")))
                    .isEqualTo("routes\n");
            assertThat(out.substring(out.indexOf("links")).lines().skip(1).takeWhile(l -> !l.startsWith("raw")))
                    .containsExactly(" lo");
            assertThat(out)
                    .contains(
                            "raw4 Operation not permitted",
                            "raw6 Operation not permitted",
                            "bind4 Address already in use",
                            "bind6 Address already in use",
                            "lo down refused",
                            "addr add refused",
                            "route add refused")
                    .containsSubsequence("via egress for " + r.cellId(), "curl 0");
        }
    }

    @Test
    void closingTheCellLeavesNothingOfItsNetworkInIsola() throws Exception {
        TestEgress holding = new TestEgress(true);
        run(TestEgress.spec(holding, CURL + "-m 1 http://example.test/warm-up")); // JVM-wide lazy descriptors
        String hostNet =
                Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        List<String> fdsBefore = networkLinks();
        Path out = Files.createTempFile("isola-net-out", "");
        CellProxy proxy;
        String cellNet;
        String cellId;
        try (Cell cell = cells.engine.start(
                TestEgress.spec(
                        holding, "readlink /proc/self/ns/net; " + CURL + "-m 60 http://example.test/held; sleep 60"),
                Stdio.files(Path.of("/dev/null"), out, out))) {
            TestEgress.Seen held;
            do {
                held = holding.seen.poll(10, TimeUnit.SECONDS);
            } while (held != null && !held.cellId().equals(cell.id()));
            assertThat(held).as("the held connection reached the egress").isNotNull();
            cellId = cell.id();
            proxy = cells.engine.proxy(cellId);
            assertThat(proxy.acceptors()).isNotEmpty().allMatch(Thread::isAlive);
            cellNet = Files.readString(out).lines().findFirst().orElseThrow();
            assertThat(cellNet).startsWith("net:[").isNotEqualTo(hostNet);
            assertThat(held.connection().isOpen()).isTrue();
            // Closed while the task runs and the egress still holds a connection of it.
            cell.close();
            assertThat(held.connection().isOpen())
                    .as("the held connection was closed with its cell")
                    .isFalse();
        } finally {
            Files.deleteIfExists(out);
        }
        assertThat(cells.engine.proxy(cellId)).isNull();
        assertThat(proxy.acceptors()).noneMatch(Thread::isAlive);
        // Sockets and event descriptors: what could keep the cell's network alive, besides a descriptor of the
        // namespace itself. (The pool's cells, each with namespaces of its own, come and go meanwhile.)
        assertThat(networkLinks())
                .as("descriptors left after the cell closed")
                .containsExactlyInAnyOrderElementsOf(fdsBefore);
        assertThat(allLinks())
                .as("a descriptor of the closed cell's network namespace")
                .doesNotContain(cellNet);
        // Every thread of Isola is back in (or never left) the host's network namespace.
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    assertThat(Files.readSymbolicLink(t.resolve("ns/net")).toString())
                            .as(t.toString())
                            .isEqualTo(hostNet);
                } catch (java.nio.file.NoSuchFileException gone) {
                    // a thread that ended meanwhile
                }
            }
        }
    }

    @Test
    void manyCellsEachGetTheirOwnProxyAndTheirConnectionsCarryTheirOwnId() throws Exception {
        TestEgress egress = new TestEgress(false);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Ran>> runs = new ArrayList<>();
            for (int i = 0; i < 18; i++) {
                String path = "/n" + i;
                runs.add(pool.submit(() ->
                        run(TestEgress.spec(egress, "echo " + path + "; " + CURL + "http://example.test" + path))));
            }
            List<String> ids = new ArrayList<>();
            for (Future<Ran> f : runs) {
                Ran r = f.get(120, TimeUnit.SECONDS);
                assertThat(r.out()).as(r.result().err()).endsWith("via egress for " + r.cellId() + "\n");
                ids.add(r.cellId());
            }
            assertThat(ids).doesNotHaveDuplicates();
            List<TestEgress.Seen> seen = new ArrayList<>();
            egress.seen.drainTo(seen);
            assertThat(seen).hasSize(runs.size());
            for (int i = 0; i < runs.size(); i++) {
                String line = "GET http://example.test/n" + i + " HTTP/1.1";
                String id = ids.get(i);
                assertThat(seen)
                        .filteredOn(s -> s.requestLine().equals(line))
                        .singleElement()
                        .extracting(TestEgress.Seen::cellId)
                        .isEqualTo(id);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The host's own addresses other than loopback and link-local (those need a zone), as a URL host. */
    private static List<String> hostAddresses() throws IOException {
        List<String> out = new ArrayList<>();
        for (NetworkInterface i : NetworkInterface.networkInterfaces().toList()) {
            for (InetAddress a : i.inetAddresses().toList()) {
                if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    out.add(a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress());
                }
            }
        }
        return out;
    }

    private static List<String> allLinks() throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    out.add(Files.readSymbolicLink(p).toString());
                } catch (IOException gone) {
                    // the listing's own descriptor, or one closed meanwhile
                }
            }
        }
        return out;
    }

    /** The targets of this process's descriptors that are sockets or event queues. */
    private static List<String> networkLinks() throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.startsWith("socket:") || target.startsWith("anon_inode:")) {
                        out.add(target);
                    }
                } catch (IOException gone) {
                    // the listing's own descriptor, or one closed meanwhile
                }
            }
        }
        return out;
    }

    static Ran run(CellSpec spec) {
        try {
            Path out = Files.createTempFile("isola-net-out", "");
            Path err = Files.createTempFile("isola-net-err", "");
            try (Cell cell = cells.engine.start(spec, Stdio.files(Path.of("/dev/null"), out, err))) {
                CellExit exit = cell.waitFor(Duration.ofSeconds(120)).orElseThrow(() -> new AssertionError("hung"));
                return new Ran(cell.id(), new TestCells.Result(exit, Files.readString(out), Files.readString(err)));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
