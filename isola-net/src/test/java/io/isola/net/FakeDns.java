package io.isola.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A DNS server for tests, on loopback: answers A and AAAA questions from a table (or a function, for answers that
 * change), TTL 0 so nothing is cached, NXDOMAIN for unknown names. Counts the questions it was asked.
 */
public final class FakeDns implements AutoCloseable {
    private final DatagramChannel channel;
    private final Map<String, Function<Integer, List<InetAddress>>> names = new ConcurrentHashMap<>();
    public final AtomicInteger questions = new AtomicInteger();
    private final Thread server;

    public FakeDns() throws IOException {
        channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server = Thread.ofVirtual().start(this::serve);
    }

    public FakeDns name(String name, String... addresses) {
        List<InetAddress> list =
                java.util.Arrays.stream(addresses).map(FakeDns::address).toList();
        names.put(name, n -> list);
        return this;
    }

    /** A name whose answer is {@code answers.apply(k)} for its k-th A question (from 0). */
    FakeDns changing(String name, Function<Integer, List<InetAddress>> answers) {
        AtomicInteger k = new AtomicInteger();
        names.put(name, type -> type == DnsMessage.A ? answers.apply(k.getAndIncrement()) : List.of());
        return this;
    }

    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    DnsResolver resolver() throws IOException {
        return new DnsResolver(List.of(address()), java.time.Duration.ofSeconds(2));
    }

    public static InetAddress address(String literal) {
        return io.isola.core.policy.Cidr.literal(literal);
    }

    private void serve() {
        ByteBuffer in = ByteBuffer.allocate(1500);
        while (channel.isOpen()) {
            try {
                in.clear();
                var from = channel.receive(in);
                in.flip();
                questions.incrementAndGet();
                channel.send(answer(in), from);
            } catch (IOException | RuntimeException e) {
                if (!channel.isOpen()) {
                    return;
                }
            }
        }
    }

    private ByteBuffer answer(ByteBuffer q) {
        int id = q.getShort() & 0xffff;
        q.position(12);
        StringBuilder name = new StringBuilder();
        int len;
        while ((len = q.get() & 0xff) != 0) {
            byte[] l = new byte[len];
            q.get(l);
            name.append(name.isEmpty() ? "" : ".").append(new String(l));
        }
        int type = q.getShort() & 0xffff;
        q.getShort();
        int qend = q.position();
        var f = names.get(name.toString().toLowerCase());
        List<InetAddress> all = f == null ? List.of() : f.apply(type);
        List<InetAddress> match = all.stream()
                .filter(a -> a.getAddress().length == (type == DnsMessage.A ? 4 : 16))
                .toList();
        ByteBuffer out = ByteBuffer.allocate(512);
        out.putShort((short) id)
                .putShort((short) (0x8180 | (f == null ? 3 : 0)))
                .putShort((short) 1)
                .putShort((short) match.size())
                .putShort((short) 0)
                .putShort((short) 0);
        out.put(q.array(), 12, qend - 12);
        for (InetAddress a : match) {
            out.putShort((short) 0xc00c)
                    .putShort((short) type)
                    .putShort((short) 1)
                    .putInt(0)
                    .putShort((short) a.getAddress().length)
                    .put(a.getAddress());
        }
        return out.flip();
    }

    @Override
    public void close() throws IOException {
        channel.close();
        server.interrupt();
    }
}
