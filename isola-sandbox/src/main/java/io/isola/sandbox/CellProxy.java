package io.isola.sandbox;

import io.isola.core.Egress;
import io.isola.core.IsolaException;
import io.isola.core.Network;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cell's proxy address: listeners on 127.0.0.1 and [::1] at {@link Network#PROXY_PORT} of the cell's own
 * loopback, and a virtual thread per listener that hands each accepted connection to the egress with the cell's id.
 * A socket stays in the network namespace it was opened in, so the listeners are bound from a thread inside the
 * cell's namespace, before the task exists: the task can neither take the port first nor see any other network.
 * Closing it closes the listeners, ends their threads and closes every connection still open, so nothing of Isola
 * keeps the cell's namespace alive afterwards.
 */
final class CellProxy implements AutoCloseable {
    private static final long RETRY_MS = 20;

    private final String cellId;
    private final Egress egress;
    private final List<ServerSocketChannel> listeners;
    private final List<Thread> acceptors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Set<ProxyConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private CellProxy(String cellId, Egress egress, List<ServerSocketChannel> listeners) {
        this.cellId = cellId;
        this.egress = egress;
        this.listeners = listeners;
    }

    /** Binds the proxy address in the calling thread's network namespace; {@link #start} accepts. */
    static CellProxy listen(String cellId, Egress egress) {
        List<ServerSocketChannel> listeners = new ArrayList<>();
        try {
            listeners.add(bind(StandardProtocolFamily.INET, new byte[] {127, 0, 0, 1}));
            byte[] one = new byte[16];
            one[15] = 1;
            try {
                listeners.add(bind(StandardProtocolFamily.INET6, one));
            } catch (IOException | UnsupportedOperationException e) {
                if (ipv6()) {
                    throw e;
                }
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(listeners);
            throw new IsolaException("cannot listen on the cell's proxy address: " + e.getMessage(), e);
        }
        return new CellProxy(cellId, egress, listeners);
    }

    /**
     * Starts accepting: a virtual thread per listener. Call on a thread in the host's namespaces, never on the one
     * that bound the listeners: starting a virtual thread may create a carrier thread, and a new thread inherits its
     * creator's network namespace (its sockets would be made in the cell), credentials and file-system context.
     * Until then the kernel queues the task's connections in the listeners' backlog.
     */
    void start() {
        for (ServerSocketChannel l : listeners) {
            acceptors.add(Thread.ofVirtual().name("isola-proxy-" + cellId).start(() -> acceptLoop(l)));
        }
    }

    /**
     * Whether the namespace of the calling thread has ::1 (a kernel without IPv6, or with it disabled, has not: then
     * a task cannot use ::1 at all, and there is nothing to listen on).
     */
    private static boolean ipv6() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/net/if_inet6"))
                    .contains("00000000000000000000000000000001");
        } catch (IOException e) {
            return false;
        }
    }

    private static ServerSocketChannel bind(ProtocolFamily family, byte[] address) throws IOException {
        ServerSocketChannel l = ServerSocketChannel.open(family);
        try {
            l.bind(new InetSocketAddress(InetAddress.getByAddress(address), Network.PROXY_PORT), 64);
            return l;
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
    }

    private void acceptLoop(ServerSocketChannel listener) {
        while (!closed) {
            SocketChannel accepted;
            try {
                accepted = listener.accept();
            } catch (IOException e) {
                if (closed || !listener.isOpen()) {
                    return;
                }
                pause(); // out of descriptors, say: try again rather than spin or give the address up
                continue;
            }
            try {
                // the egress relays as it reads: a small write (an answer's last bytes) must not wait for an ACK
                accepted.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            } catch (IOException e) {
                // reset by the task already: the egress sees it end
            }
            ProxyConnection c = new ProxyConnection(accepted, connections::remove);
            connections.add(c);
            if (closed) {
                closeQuietly(c);
                return;
            }
            try {
                egress.accept(cellId, c);
            } catch (RuntimeException e) {
                closeQuietly(c); // the egress refused it by failing: the task sees its connection end
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The threads that accept for this cell (for tests: none may outlive {@link #close}). */
    List<Thread> acceptors() {
        return List.copyOf(acceptors);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(listeners);
        for (Thread t : acceptors) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // The cell is gone: whatever the egress still holds of it leads nowhere, and would keep its namespace.
        for (ProxyConnection c : List.copyOf(connections)) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(List<? extends java.io.Closeable> all) {
        for (java.io.Closeable c : all) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing a socket fails only when it is closed already
        }
    }
}
