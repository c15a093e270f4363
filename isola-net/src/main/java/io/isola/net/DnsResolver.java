package io.isola.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The proxy's own DNS client: A and AAAA queries over UDP to servers it is given, never the C library's resolver
 * (whose search domains, hosts file and numeric forms would decide names differently from the proxy). Answers are
 * cached for their TTL, at most {@link #MAX_CACHE_SECONDS}: the proxy connects only to addresses it checked, so a
 * cache cannot be raced, only saves time. The A and AAAA questions go out together on a fresh socket (a random port)
 * with random ids, and only the server's own reply to that exact question counts.
 */
public final class DnsResolver implements Resolver {
    static final long MAX_CACHE_SECONDS = 30;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Cached(List<InetAddress> addresses, long until) {}

    private final List<InetSocketAddress> servers;
    private final Duration timeout;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public DnsResolver(List<InetSocketAddress> servers, Duration timeout) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no DNS server: set ISOLA_DNS or nameserver in /etc/resolv.conf");
        }
        this.servers = List.copyOf(servers);
        this.timeout = timeout;
    }

    /**
     * The servers in {@code ISOLA_DNS} ({@code 10.0.0.53} or {@code 10.0.0.53:5353}, comma-separated, IPv6 as
     * {@code [fd00::53]:53}), else the {@code nameserver} lines of /etc/resolv.conf.
     */
    public static DnsResolver fromEnvironment(Map<String, String> env) throws IOException {
        String given = env.get("ISOLA_DNS");
        List<InetSocketAddress> servers = new ArrayList<>();
        if (given != null && !given.isBlank()) {
            for (String s : given.split(",")) {
                servers.add(server(s.trim()));
            }
        } else {
            for (String line : Files.readAllLines(Path.of("/etc/resolv.conf"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2 && f[0].equals("nameserver")) {
                    servers.add(server(f[1].contains(":") ? "[" + f[1] + "]" : f[1]));
                }
            }
        }
        return new DnsResolver(servers, Duration.ofSeconds(3));
    }

    static InetSocketAddress server(String text) {
        String host = text;
        int port = 53;
        int close = text.startsWith("[") ? text.indexOf(']') : -1;
        int colon = text.indexOf(':', Math.max(close, 0));
        if (close >= 0 || (colon >= 0 && text.indexOf(':', colon + 1) < 0)) {
            host = close >= 0 ? text.substring(1, close) : text.substring(0, colon);
            if (colon > close && colon >= 0) {
                port = Integer.parseInt(text.substring(colon + 1));
            }
        }
        InetAddress a = io.isola.core.policy.Cidr.literal(host);
        if (a == null || port < 1 || port > 65535) {
            throw new IllegalArgumentException("ISOLA_DNS: '" + text + "' is not an address[:port]");
        }
        return new InetSocketAddress(a, port);
    }

    @Override
    public List<InetAddress> resolve(String name) throws IOException {
        Cached c = cache.get(name);
        long now = System.nanoTime();
        if (c != null && now < c.until()) {
            return c.addresses();
        }
        IOException last = null;
        for (InetSocketAddress server : servers) {
            try {
                DnsMessage.Answer[] both = askBoth(server, name);
                List<InetAddress> all = new ArrayList<>();
                long ttl = MAX_CACHE_SECONDS;
                for (DnsMessage.Answer a : both) {
                    if (a != null && !a.addresses().isEmpty()) {
                        all.addAll(a.addresses());
                        ttl = Math.min(ttl, a.ttl());
                    }
                }
                if (all.isEmpty()) {
                    throw new UnknownHostException(name + " has no address");
                }
                if (cache.size() > 10_000) {
                    cache.clear();
                }
                List<InetAddress> result = List.copyOf(all);
                if (ttl > 0) {
                    cache.put(name, new Cached(result, now + ttl * 1_000_000_000L));
                }
                return result;
            } catch (UnknownHostException e) {
                throw e;
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    /**
     * The A and the AAAA answer (IPv4 first), asked at once on one socket. One of them may be null when only the
     * other came in time: some resolvers drop AAAA questions, and the IPv4 answer is enough.
     */
    private DnsMessage.Answer[] askBoth(InetSocketAddress server, String name) throws IOException {
        int[] types = {DnsMessage.A, DnsMessage.AAAA};
        int[] ids = {RANDOM.nextInt(65536), RANDOM.nextInt(65536)};
        DnsMessage.Answer[] answers = new DnsMessage.Answer[2];
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
            socket.connect(server); // only the server's datagrams are received
            for (int i = 0; i < 2; i++) {
                byte[] q = DnsMessage.query(ids[i], name, types[i]);
                socket.send(new java.net.DatagramPacket(q, q.length));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            byte[] buf = new byte[4096];
            while (answers[0] == null || answers[1] == null) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) left);
                java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (java.net.SocketTimeoutException e) {
                    break;
                }
                for (int i = 0; i < 2; i++) {
                    try {
                        DnsMessage.Answer a =
                                DnsMessage.answer(ByteBuffer.wrap(buf, 0, p.getLength()), ids[i], name, types[i]);
                        if (a.rcode() == 3) {
                            throw new UnknownHostException(name + ": no such name");
                        }
                        // a failure for one type (SERVFAIL for AAAA, say) leaves the other's addresses
                        answers[i] = a.rcode() == 0 ? a : new DnsMessage.Answer(List.of(), 0, a.rcode());
                    } catch (UnknownHostException e) {
                        throw e;
                    } catch (IOException notThisOne) {
                        // not the answer to this question: maybe to the other, else junk to ignore
                    }
                }
            }
        }
        if (answers[0] == null && answers[1] == null) {
            throw new IOException("no answer from the DNS server " + server);
        }
        return answers;
    }
}
