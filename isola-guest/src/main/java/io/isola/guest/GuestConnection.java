package io.isola.guest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One connection the task made to its proxy address, relayed as one mux id. It is over once both directions have
 * ended (then the guest sends CLOSE) or the host closed it (then what the host sent is still written to the task,
 * and the socket is closed after it). The id is free again once CLOSE has gone both ways.
 */
final class GuestConnection {
    /** Marks an id taken between its claim and its connection's entry in the table. */
    static final GuestConnection CLAIMED = new GuestConnection(null, -1, null);

    final int id;
    final Inbox inbox = new Inbox();
    final Window window = new Window();
    private final NetRelay relay;
    private final SocketChannel socket;
    /** Set under the relay's output lock, as the CLOSE frame is written. */
    volatile boolean closeSent;

    private boolean closeReceived;
    private int directionsDone;

    GuestConnection(NetRelay relay, int id, SocketChannel socket) {
        this.relay = relay;
        this.id = id;
        this.socket = socket;
    }

    void start() {
        Thread.ofVirtual().name("proxy-up-" + id).start(this::upstream);
        Thread.ofVirtual().name("proxy-down-" + id).start(this::downstream);
    }

    /** The task's bytes to the host, within the credit the host gives. */
    private void upstream() {
        ByteBuffer buf = ByteBuffer.allocate(Mux.MAX_DATA);
        try {
            while (true) {
                int n = window.take(Mux.MAX_DATA);
                if (n == 0) {
                    break; // the host closed the connection
                }
                buf.clear().limit(n);
                int r = socket.read(buf);
                if (r < 0) {
                    relay.send(this, Mux.Frame.eof(id));
                    break;
                }
                if (r < n) {
                    window.grant(n - r); // gives back what this read did not use
                }
                if (r > 0) {
                    byte[] data = new byte[r];
                    buf.flip().get(data);
                    relay.send(this, Mux.Frame.data(id, data));
                }
            }
            done();
        } catch (IOException | InterruptedException e) {
            abort();
        }
    }

    /** The host's bytes to the task; credit goes back as they are written. */
    private void downstream() {
        ByteBuffer buf = ByteBuffer.allocate(Mux.MAX_DATA);
        try {
            while (true) {
                buf.clear();
                if (inbox.read(buf) < 0) {
                    break;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    socket.write(buf);
                }
                int credit = inbox.creditToReturn();
                if (credit > 0) {
                    relay.send(this, Mux.Frame.credit(id, credit));
                }
            }
            if (closedByHostAlready()) {
                abort(); // the host is gone: what it sent is written, the task sees the connection end
                return;
            }
            socket.shutdownOutput();
            done();
        } catch (IOException | InterruptedException e) {
            abort();
        }
    }

    private synchronized boolean closedByHostAlready() {
        return closeReceived;
    }

    /** One direction ended cleanly; after both, the connection is over. */
    private void done() {
        synchronized (this) {
            if (++directionsDone < 2) {
                return;
            }
        }
        abort();
    }

    /** The connection is over on this side: the host hears CLOSE (once), the socket closes. */
    private void abort() {
        window.close();
        NetRelay.closeQuietly(socket);
        try {
            relay.send(this, Mux.Frame.close(id));
        } catch (IOException e) {
            // the port is gone: nothing left to tell
        }
        releaseIfBothClosed();
    }

    /** The host's CLOSE: it reads and sends no more; what it sent before still reaches the task. */
    void closedByHost() throws IOException {
        if (inbox.closedByPeer()) {
            throw new Wire.ProtocolException("a second CLOSE of connection " + id);
        }
        synchronized (this) {
            closeReceived = true;
        }
        window.close();
        releaseIfBothClosed();
    }

    private void releaseIfBothClosed() {
        boolean received;
        synchronized (this) {
            received = closeReceived;
        }
        if (received && closeSent) {
            relay.release(this);
        }
    }
}
