package io.isola.net;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test host's server: answers HTTP ({@code /big?N} sends N bytes, {@code /redirect?URL} a 302 there, anything else
 * a short text naming the host) or, as a TLS host, records the first bytes a client sends and closes. Counts what
 * reached it, so a test can show a refused request never did.
 */
public final class NsHttpServer implements AutoCloseable {
    public final String name;
    public final AtomicInteger connections = new AtomicInteger();
    public final List<String> requests = new CopyOnWriteArrayList<>();
    public final List<byte[]> tlsHellos = new CopyOnWriteArrayList<>();
    private final ServerSocketChannel server;

    public NsHttpServer(ServerSocketChannel server, String name, boolean tls) {
        this.server = server;
        this.name = name;
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel c = server.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(c, tls));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private void serve(SocketChannel c, boolean tls) {
        try (c;
                Socket s = c.socket()) {
            s.setSoTimeout(5_000);
            var in = s.getInputStream();
            if (tls) {
                byte[] b = new byte[16 * 1024];
                int n = in.read(b);
                tlsHellos.add(java.util.Arrays.copyOf(b, Math.max(n, 0)));
                return;
            }
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int ch = in.read();
                if (ch < 0) {
                    return;
                }
                head.append((char) ch);
            }
            String line = head.substring(0, head.indexOf("\r\n"));
            requests.add(head.toString());
            String target = line.split(" ")[1];
            if (target.startsWith("/big?")) {
                long n = Long.parseLong(target.substring(5));
                write(c, "HTTP/1.1 200 OK\r\nContent-Length: " + n + "\r\nConnection: close\r\n\r\n");
                ByteBuffer zeros = ByteBuffer.allocateDirect(256 * 1024);
                while (n > 0) {
                    zeros.clear().limit((int) Math.min(n, zeros.capacity()));
                    n -= c.write(zeros);
                }
            } else if (target.startsWith("/redirect?")) {
                write(
                        c,
                        "HTTP/1.1 302 Found\r\nLocation: " + target.substring(10) + "\r\nContent-Length: 0\r\n"
                                + "Connection: close\r\n\r\n");
            } else {
                String body = "hello from " + name + "\n";
                write(
                        c,
                        "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nConnection: "
                                + (head.toString().toLowerCase().contains("connection: close") ? "close" : "keep-alive")
                                + "\r\n\r\n" + body);
            }
        } catch (IOException e) {
            // the client left
        }
    }

    private static void write(SocketChannel c, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
