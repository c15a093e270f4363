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
 * cache cannot be raced, only saves time. Each query uses a fresh socket on a random port and a random id, and only
 * the server's own reply to that exact question counts.
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
                DnsMessage.Answer a4 = ask(server, name, DnsMessage.A);
                DnsMessage.Answer a6 = ask(server, name, DnsMessage.AAAA);
                List<InetAddress> all = new ArrayList<>(a4.addresses());
                all.addAll(a6.addresses());
                if (all.isEmpty()) {
                    throw new UnknownHostException(name + " has no address");
                }
                long ttl = Math.min(MAX_CACHE_SECONDS, Math.min(a4.addresses().isEmpty() ? Long.MAX_VALUE : a4.ttl(),
                        a6.addresses().isEmpty() ? Long.MAX_VALUE : a6.ttl()));
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

    private DnsMessage.Answer ask(InetSocketAddress server, String name, int type) throws IOException {
        int id = RANDOM.nextInt(65536);
        byte[] query = DnsMessage.query(id, name, type);
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
            socket.connect(server); // only the server's datagrams are received
            socket.send(new java.net.DatagramPacket(query, query.length));
            long deadline = System.nanoTime() + timeout.toNanos();
            byte[] buf = new byte[4096];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new IOException("no answer from the DNS server " + server);
                }
                socket.setSoTimeout((int) left);
                java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (java.net.SocketTimeoutException e) {
                    continue;
                }
                DnsMessage.Answer a;
                try {
                    a = DnsMessage.answer(ByteBuffer.wrap(buf, 0, p.getLength()), id, name, type);
                } catch (IOException notOurs) {
                    continue; // not the answer to this question: wait for the real one
                }
                if (a.rcode() == 3) {
                    throw new UnknownHostException(name + ": no such name");
                }
                if (a.rcode() != 0) {
                    throw new IOException("the DNS server " + server + " failed (rcode " + a.rcode() + ")");
                }
                return a;
            }
        }
    }
}
