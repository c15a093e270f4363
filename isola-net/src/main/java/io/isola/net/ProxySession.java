package io.isola.net;

import io.isola.core.Egress;
import io.isola.core.audit.AuditEvent;
import io.isola.core.policy.NetworkAccess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** One connection from a cell, from its request head to the end of its relay. */
final class ProxySession {
    private final EgressProxy proxy;
    private final NetworkAccess level;
    private final String cell;
    private final Egress.Connection client;
    private String method;
    private Target target;
    /** The addresses decided on, all allowed, in the resolver's order: the only ones ever connected to. */
    private List<InetAddress> allowedAddresses = List.of();
    /** The address the server connection went to, for the audit. */
    private InetAddress connectedTo;
    /** The decision that refused the request, for the audit's address. */
    private Decision refusedAt;

    ProxySession(EgressProxy proxy, NetworkAccess level, String cell, Egress.Connection client) {
        this.proxy = proxy;
        this.level = level;
        this.cell = cell;
        this.client = client;
    }

    void run() {
        Deadlines.Deadline deadline =
                proxy.deadlines.arm(proxy.settings.headTimeout().toMillis(), client);
        boolean tunnelOpen = false;
        try {
            byte[] buf = new byte[RequestHead.MAX_HEAD];
            int len = 0, headLen;
            while ((headLen = RequestHead.headLength(buf, len)) < 0) {
                if (len == buf.length) {
                    throw new Target.Refused("too-large", "the request head is larger than 32 KiB");
                }
                int n = client.read(ByteBuffer.wrap(buf, len, buf.length - len));
                if (n < 0) {
                    if (len > 0) {
                        throw new Target.Refused("bad-request", "the connection ended inside the request head");
                    }
                    return; // opened and closed: nothing was asked
                }
                len += n;
            }
            RequestHead head = RequestHead.parse(Arrays.copyOf(buf, headLen));
            method = head.method();
            target = head.destination();
            byte[] rest = Arrays.copyOfRange(buf, headLen, len);
            Decision d = decide(target);
            byte[] first;
            if (method.equals("CONNECT")) {
                write("HTTP/1.1 200 Connection established\r\n\r\n");
                tunnelOpen = true;
                first = clientHello(rest);
            } else {
                byte[] h = head.forwarded();
                first = Arrays.copyOf(h, h.length + rest.length);
                System.arraycopy(rest, 0, first, h.length, rest.length);
            }
            proxy.deadlines.clear(deadline);
            SocketChannel server = connect(d);
            if (server == null) {
                return;
            }
            try (server) {
                try {
                    ByteBuffer out = ByteBuffer.wrap(first);
                    while (out.hasRemaining()) {
                        server.write(out);
                    }
                } finally {
                    // Recorded while the server reads the request, off the connection's critical path: still on this
                    // thread, before the relay passes the cell a byte of the answer, and whether the write failed.
                    event("connection.allowed", d.rule(), null, connectedTo);
                }
                Relay.run(client, server);
            }
        } catch (Target.Refused r) {
            blocked(r.rule(), r.getMessage(), null);
            if (!tunnelOpen) {
                respond(
                        r.rule().equals("too-large")
                                ? 431
                                : r.rule().equals("bad-request")
                                        ? 400
                                        : r.rule().equals("no-such-name") ? 502 : 403,
                        r.getMessage());
            }
        } catch (IOException e) {
            if (deadline.expired.get()) { // the deadline closed the connection
                blocked(
                        "slow-request",
                        "no complete request" + (target == null ? "" : " and TLS ClientHello") + " within "
                                + proxy.settings.headTimeout().toMillis() + " ms",
                        null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) { // a flaw of the proxy's own: this connection ends, the others go on
            blocked("internal-error", String.valueOf(e), null);
        } finally {
            proxy.deadlines.clear(deadline);
        }
    }

    /** The decision on the name, then on every address; the allowed one with its first address, or Refused. */
    private Decision decide(Target t) throws IOException {
        Decision byName = proxy.decider.byName(level, t);
        if (byName != null) {
            throw refusedBy(byName);
        }
        List<InetAddress> addresses;
        if (t.literal() != null) {
            addresses = List.of(t.literal());
        } else {
            try {
                addresses = proxy.resolver.resolve(t.host());
            } catch (UnknownHostException e) {
                throw new Target.Refused("no-such-name", t.host() + " has no address");
            } catch (IOException e) {
                throw new Target.Refused("no-such-name", t.host() + " could not be resolved: " + e.getMessage());
            }
        }
        List<Decision> each = proxy.decider.byAddress(level, t, addresses);
        Decision d = Decider.verdict(each);
        if (!d.allowed()) {
            throw refusedBy(d);
        }
        allowedAddresses = each.stream().map(Decision::address).toList();
        return d;
    }

    private Target.Refused refusedBy(Decision d) {
        refusedAt = d;
        return new Target.Refused(d.rule(), d.rule());
    }

    /** Reads the ClientHello (the tunnel's first bytes) and checks that it asks for the host CONNECT named. */
    private byte[] clientHello(byte[] rest) throws IOException {
        byte[] buf = Arrays.copyOf(rest, ClientHello.MAX + 1024);
        int len = rest.length;
        byte[] hello;
        while ((hello = ClientHello.handshake(buf, len)) == null) {
            if (len == buf.length) {
                throw new Target.Refused("not-tls", "a ClientHello larger than 16 KiB");
            }
            int n = client.read(ByteBuffer.wrap(buf, len, buf.length - len));
            if (n < 0) {
                throw new Target.Refused("not-tls", "the tunnel ended before a TLS ClientHello");
            }
            len += n;
        }
        String sni = ClientHello.serverName(hello);
        if (sni != null) {
            Target named;
            try {
                named = Target.of(sni, target.port());
            } catch (Target.Refused r) {
                throw new Target.Refused("sni-mismatch", "the TLS server name is not a host name: " + r.getMessage());
            }
            boolean same = named.host().equals(target.host());
            if (!same && (target.literal() == null || named.literal() != null)) {
                throw new Target.Refused(
                        "sni-mismatch",
                        "the TLS server name " + RequestHead.printable(sni) + " differs from the CONNECT host "
                                + target.host());
            }
            Decision d = named.literal() == null ? proxy.decider.byName(level, named) : null;
            if (d != null) {
                throw new Target.Refused("sni-mismatch", "the TLS server name " + named.host() + ": " + d.rule());
            }
        }
        return Arrays.copyOf(buf, len);
    }

    private SocketChannel connect(Decision d) {
        IOException last = null;
        for (InetAddress a : allowedAddresses) {
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open();
                ch.socket().connect(new InetSocketAddress(a, target.port()), (int)
                        proxy.settings.connectTimeout().toMillis());
                ch.socket().setTcpNoDelay(true);
                connectedTo = a;
                return ch;
            } catch (IOException e) {
                last = e;
                if (ch != null) {
                    Relay.closeQuietly(ch);
                }
            }
        }
        event(
                "connection.allowed",
                d.rule(),
                "could not connect: " + (last == null ? "no address" : last.getMessage()),
                allowedAddresses.isEmpty() ? null : allowedAddresses.getFirst());
        if (!method.equals("CONNECT")) {
            respond(502, "could not connect to " + target.authority());
        }
        return null;
    }

    private void blocked(String rule, String reason, InetAddress a) {
        InetAddress at = a != null ? a : refusedAt != null ? refusedAt.address() : null;
        event("connection.blocked", rule, rule.equals(reason) ? null : reason, at);
    }

    private void event(String type, String rule, String reason, InetAddress a) {
        proxy.audit.accept(AuditEvent.of(
                type,
                cell,
                "level",
                level.word(),
                "method",
                method,
                "name",
                target == null ? null : target.literal() == null ? target.host() : null,
                "address",
                a == null ? (target != null && target.literal() != null ? target.host() : null) : a.getHostAddress(),
                "port",
                target == null ? null : target.port(),
                "rule",
                rule,
                "reason",
                reason));
    }

    private void respond(int status, String why) {
        String reason = switch (status) {
            case 400 -> "Bad Request";
            case 431 -> "Request Header Fields Too Large";
            case 502 -> "Bad Gateway";
            default -> "Forbidden";
        };
        String body = "isola: blocked: " + why + "\n";
        try {
            write("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body);
        } catch (IOException e) {
            // the cell left already
        }
    }

    private void write(String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            client.write(b);
        }
    }
}
