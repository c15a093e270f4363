package io.isola.guest;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The guest's end of the network port: the task's proxy address (127.0.0.1 and [::1] at {@link #PROXY_PORT}, bound
 * before the task starts) and every connection accepted there relayed to the host as {@link Mux} frames. The guest
 * has no network interface but loopback; this port is its only way out, and the host decides where a connection
 * goes. Per connection two virtual threads: one reads the task's socket into DATA frames within the credit, one
 * writes the host's DATA to the socket and returns credit as it goes; the port's reader never blocks on a socket.
 */
final class NetRelay {
    /** {@code io.isola.core.Network.PROXY_PORT}: the guest depends on nothing but the JDK, so it keeps its own. */
    static final int PROXY_PORT = 3128;

    private final DataInputStream in;
    private final OutputStream out;
    private final GuestConnection[] byId = new GuestConnection[Mux.MAX_CONNECTIONS];
    private final List<ServerSocketChannel> listeners = new ArrayList<>();

    NetRelay(InputStream in, OutputStream out) {
        this.in = new DataInputStream(in); // Port buffers already
        this.out = new BufferedOutputStream(out, Mux.MAX_DATA + 16);
    }

    /** Reads the host's frames for as long as the port lives (started in the golden VM, inherited by clones). */
    void serve() {
        try {
            while (true) {
                Mux.Frame f = Mux.read(in);
                if (f == null) {
                    Thread.sleep(5); // the host end is not connected (yet): reads return end of file until it is
                    continue;
                }
                handle(f);
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("isola: the network port ended: " + e.getMessage());
        }
    }

    private void handle(Mux.Frame f) throws IOException {
        GuestConnection c;
        synchronized (byId) {
            c = byId[f.id()];
        }
        if (c == null || c == GuestConnection.CLAIMED) {
            throw new Wire.ProtocolException("a frame for connection " + f.id() + ", which is not open");
        }
        switch (f.type()) {
            case Mux.DATA -> c.inbox.add(f.data());
            case Mux.EOF -> c.inbox.end();
            case Mux.CREDIT -> c.window.grant(f.credit());
            case Mux.CLOSE -> c.closedByHost();
            default -> throw new Wire.ProtocolException("the host sent frame type " + f.type());
        }
    }

    /** Binds the proxy address (IPv6 too when the guest has ::1) and accepts on it until the VM ends. */
    void listen() throws IOException {
        listeners.add(bind(StandardProtocolFamily.INET, new byte[] {127, 0, 0, 1}));
        if (hasIpv6Loopback()) {
            byte[] one = new byte[16];
            one[15] = 1;
            listeners.add(bind(StandardProtocolFamily.INET6, one));
        }
        for (ServerSocketChannel l : listeners) {
            Thread.ofVirtual().name("proxy-accept").start(() -> acceptLoop(l));
        }
    }

    private static ServerSocketChannel bind(StandardProtocolFamily family, byte[] address) throws IOException {
        ServerSocketChannel l = ServerSocketChannel.open(family);
        l.bind(new InetSocketAddress(InetAddress.getByAddress(address), PROXY_PORT), 64);
        return l;
    }

    private void acceptLoop(ServerSocketChannel listener) {
        while (true) {
            SocketChannel s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                sleep(); // out of descriptors, say: try again rather than spin or give the address up
                continue;
            }
            int id = claimId();
            if (id < 0) {
                closeQuietly(s); // as many connections open as the host accepts: this one is refused here
                continue;
            }
            GuestConnection c = new GuestConnection(this, id, s);
            synchronized (byId) {
                byId[id] = c;
            }
            try {
                send(c, Mux.Frame.open(id));
            } catch (IOException e) {
                closeQuietly(s);
                release(c);
                continue;
            }
            c.start();
        }
    }

    /** The lowest free id, marked taken, or -1 when all are. */
    private int claimId() {
        synchronized (byId) {
            for (int i = 0; i < byId.length; i++) {
                if (byId[i] == null) {
                    byId[i] = GuestConnection.CLAIMED;
                    return i;
                }
            }
            return -1;
        }
    }

    /** An id is free again once CLOSE has gone both ways. */
    void release(GuestConnection c) {
        synchronized (byId) {
            if (byId[c.id] == c) {
                byId[c.id] = null;
            }
        }
    }

    /** Sends a frame of connection {@code c}; nothing once its CLOSE was sent, so a late frame never names a reused id. */
    void send(GuestConnection c, Mux.Frame f) throws IOException {
        synchronized (out) {
            if (c.closeSent) {
                if (f.type() == Mux.DATA || f.type() == Mux.EOF) {
                    throw new IOException("the connection is closed");
                }
                return;
            }
            if (f.type() == Mux.CLOSE) {
                c.closeSent = true;
            }
            Mux.write(out, f);
            out.flush();
        }
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs what a task's proxy connection runs, on a port of its own (bind, a virtual thread's accept, connect, a byte
     * each way, close), once per family. Called at boot in the golden VM, so clones inherit the loaded classes and the
     * JDK's poller threads, and again in each clone after HELLO, off the task's path: a clone starts with an empty
     * translation cache, and the first run of this code in a clone paid ~0.4 s under TCG, on the task's start.
     */
    static void warmUp() {
        try {
            warmUp(StandardProtocolFamily.INET, new byte[] {127, 0, 0, 1});
            if (hasIpv6Loopback()) {
                byte[] one = new byte[16];
                one[15] = 1;
                warmUp(StandardProtocolFamily.INET6, one);
            }
        } catch (IOException | InterruptedException e) {
            // a guest without loopback: the task's proxy will say so when it binds
        }
    }

    private static void warmUp(StandardProtocolFamily family, byte[] address) throws IOException, InterruptedException {
        try (ServerSocketChannel l = ServerSocketChannel.open(family)) {
            l.bind(new InetSocketAddress(InetAddress.getByAddress(address), 0));
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try (SocketChannel s = l.accept()) {
                    ByteBuffer b = ByteBuffer.allocate(1);
                    s.read(b);
                    s.write(b.flip());
                } catch (IOException ignored) {
                    // the warm-up is best effort
                }
            });
            try (SocketChannel c = SocketChannel.open(l.getLocalAddress())) {
                c.write(ByteBuffer.wrap(new byte[] {1}));
                c.read(ByteBuffer.allocate(1));
            }
            acceptor.join();
        }
    }

    private static boolean hasIpv6Loopback() throws IOException {
        return Files.readString(Path.of("/proc/net/if_inet6")).contains("00000000000000000000000000000001");
    }
}
