package io.isola.net;

import io.isola.linux.Libc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Test hosts in a network namespace this test makes, and nothing else: an "internet" address on 198.51.100.0/24 and
 * an "intranet" one on 10.77.0.0/16 behind one veth pair, and a "high-value" one on 203.0.113.0/24 behind a second
 * pair whose host end is named like a VPN ({@code wgt…}). Each run takes its own /30s, so runs do not collide.
 * Servers open their sockets from a thread that entered the namespace (a socket keeps its namespace). The namespace
 * and both pairs are deleted on close, failure or not.
 */
public final class TestNetwork implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;

    public final String ns, lanIf, vpnIf;
    public final String internetHost, internet, intranetHost, intranet, vpnHost, highValue;

    private TestNetwork(String id, int k) {
        ns = "isola-net-" + id;
        lanIf = "isn" + id;
        vpnIf = "wgt" + id;
        internetHost = "198.51.100." + (4 * k + 1);
        internet = "198.51.100." + (4 * k + 2);
        intranetHost = "10.77." + k + ".1";
        intranet = "10.77." + k + ".2";
        vpnHost = "203.0.113." + (4 * k + 1);
        highValue = "203.0.113." + (4 * k + 2);
    }

    /** The network, or null (with the reason printed) when this machine cannot make namespaces. */
    public static TestNetwork create() throws Exception {
        if (Libc.geteuid() != 0
                || !new java.io.File("/usr/sbin/ip").canExecute() && !new java.io.File("/sbin/ip").canExecute()) {
            System.out.println("SKIP: network namespace tests need root and iproute2 (ip)");
            return null;
        }
        String id =
                HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt(65536));
        TestNetwork n = new TestNetwork(id, freeBlock());
        try {
            n.build();
        } catch (Exception e) {
            n.close();
            throw e;
        }
        return n;
    }

    /**
     * A block no interface of this host has an address in: a run killed before its close leaves its namespace and
     * veth pairs behind, and a new run on the same /30 would send its traffic to that dead one's.
     */
    private static int freeBlock() throws java.net.SocketException {
        java.util.Set<String> taken = new java.util.HashSet<>();
        for (var i : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (var a : java.util.Collections.list(i.getInetAddresses())) {
                taken.add(a.getHostAddress());
            }
        }
        for (int attempt = 0; attempt < 200; attempt++) {
            int k = 1 + ThreadLocalRandom.current().nextInt(62);
            if (!taken.contains("10.77." + k + ".1")
                    && !taken.contains("198.51.100." + (4 * k + 1))
                    && !taken.contains("203.0.113." + (4 * k + 1))) {
                return k;
            }
        }
        throw new IllegalStateException("no free test network block: delete stale isola-net-* namespaces (ip netns)");
    }

    private void build() throws IOException, InterruptedException {
        ip("netns", "add", ns);
        ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
        pair(
                lanIf,
                "isp" + lanIf.substring(3),
                "p0",
                List.of(internetHost + "/30", intranetHost + "/30"),
                List.of(internet + "/30", intranet + "/30"));
        pair(vpnIf, "wgp" + vpnIf.substring(3), "p1", List.of(vpnHost + "/30"), List.of(highValue + "/30"));
    }

    private void pair(String host, String peer, String inside, List<String> hostAddrs, List<String> nsAddrs)
            throws IOException, InterruptedException {
        ip("link", "add", host, "type", "veth", "peer", "name", peer);
        ip("link", "set", peer, "netns", ns);
        ip("netns", "exec", ns, "ip", "link", "set", peer, "name", inside);
        for (String a : hostAddrs) {
            ip("addr", "add", a, "dev", host);
        }
        for (String a : nsAddrs) {
            ip("netns", "exec", ns, "ip", "addr", "add", a, "dev", inside);
        }
        ip("link", "set", host, "up");
        ip("netns", "exec", ns, "ip", "link", "set", inside, "up");
    }

    /** A listening socket at {@code address:port} inside the namespace. */
    public ServerSocketChannel listen(String address, int port) throws Exception {
        ServerSocketChannel[] out = new ServerSocketChannel[1];
        Exception[] failed = new Exception[1];
        Thread t = Thread.ofPlatform().start(() -> {
            int fd = Libc.openReadOnly("/run/netns/" + ns);
            try {
                Libc.setns(fd, CLONE_NEWNET); // this thread only; it ends right after
                out[0] = ServerSocketChannel.open().bind(new InetSocketAddress(FakeDns.address(address), port), 1024);
            } catch (Exception e) {
                failed[0] = e;
            } finally {
                Libc.close(fd);
            }
        });
        t.join();
        if (failed[0] != null) {
            throw failed[0];
        }
        return out[0];
    }

    @Override
    public void close() {
        List<String[]> steps = new ArrayList<>();
        steps.add(new String[] {"link", "del", lanIf});
        steps.add(new String[] {"link", "del", vpnIf});
        steps.add(new String[] {"netns", "del", ns});
        for (String[] s : steps) {
            try {
                ip(s);
            } catch (IOException | InterruptedException | RuntimeException e) {
                // already gone with the namespace
            }
        }
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out.strip());
        }
    }
}
