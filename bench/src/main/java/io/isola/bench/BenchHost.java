package io.isola.bench;

import io.isola.linux.Libc;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A web host for the network benchmark, in a network namespace the benchmark makes and deletes: a veth pair with
 * 198.51.100.(4k+1)/30 on the host's end and .(4k+2)/30 inside, where an HTTP server answers {@code /big?N} with N
 * zero bytes and anything else with a short text, closing each connection after one answer. Nothing is sent anywhere
 * but this pair. The server's socket is opened by a thread that entered the namespace (a socket keeps its namespace).
 */
final class BenchHost implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;

    final String ns, hostIf, address;
    private ServerSocketChannel server;

    private BenchHost(int k) {
        ns = "isola-bench-" + ProcessHandle.current().pid();
        hostIf = "isb" + ProcessHandle.current().pid() % 100000;
        address = "198.51.100." + (4 * k + 2);
    }

    /** The host, up and serving; the namespace is gone again if any step fails. */
    static BenchHost start() throws IOException, InterruptedException {
        BenchHost h = new BenchHost(1 + (int) (ProcessHandle.current().pid() % 60));
        try {
            h.build();
        } catch (IOException | InterruptedException | RuntimeException e) {
            h.close();
            throw e;
        }
        return h;
    }

    private void build() throws IOException, InterruptedException {
        String hostAddr = address.substring(0, address.lastIndexOf('.') + 1)
                + (Integer.parseInt(address.substring(address.lastIndexOf('.') + 1)) - 1);
        String peer = "isp" + hostIf.substring(3);
        ip("netns", "add", ns);
        ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
        ip("link", "add", hostIf, "type", "veth", "peer", "name", peer);
        ip("link", "set", peer, "netns", ns);
        ip("addr", "add", hostAddr + "/30", "dev", hostIf);
        ip("netns", "exec", ns, "ip", "addr", "add", address + "/30", "dev", peer);
        ip("link", "set", hostIf, "up");
        ip("netns", "exec", ns, "ip", "link", "set", peer, "up");
        server = listenInside(80);
        Thread.ofVirtual().start(this::serve);
    }

    private ServerSocketChannel listenInside(int port) throws IOException, InterruptedException {
        ServerSocketChannel[] out = new ServerSocketChannel[1];
        IOException[] failed = new IOException[1];
        Thread t = Thread.ofPlatform().start(() -> {
            int fd = Libc.openReadOnly("/run/netns/" + ns);
            try {
                Libc.setns(fd, CLONE_NEWNET); // this thread only; it ends right after
                out[0] = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getByName(address), port), 1024);
            } catch (IOException e) {
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

    private void serve() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                Thread.ofVirtual().start(() -> answer(c));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void answer(SocketChannel c) {
        try (c) {
            c.socket().setTcpNoDelay(true);
            ByteBuffer in = ByteBuffer.allocate(8192);
            String head = "";
            while (!head.contains("\r\n\r\n") && in.hasRemaining()) {
                if (c.read(in) < 0) {
                    return;
                }
                head = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
            }
            String target = head.split(" ", 3)[1];
            long n = target.startsWith("/big?") ? Long.parseLong(target.substring(5)) : -1;
            String body = n < 0 ? "ok\n" : "";
            write(
                    c,
                    "HTTP/1.1 200 OK\r\nContent-Length: " + (n < 0 ? body.length() : n) + "\r\nConnection: close"
                            + "\r\n\r\n" + body);
            ByteBuffer zeros = ByteBuffer.allocateDirect(256 * 1024);
            while (n > 0) {
                zeros.clear().limit((int) Math.min(n, zeros.capacity()));
                n -= c.write(zeros);
            }
        } catch (IOException | RuntimeException e) {
            // the client left
        }
    }

    private static void write(SocketChannel c, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    /** http://ADDRESS/PATH on this host. */
    String url(String path) {
        return "http://" + address + path;
    }

    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        List<String[]> steps = new ArrayList<>();
        steps.add(new String[] {"link", "del", hostIf});
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
