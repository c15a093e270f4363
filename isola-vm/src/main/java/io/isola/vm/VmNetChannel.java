package io.isola.vm;

import io.isola.core.Egress;
import io.isola.guest.Mux;
import io.isola.guest.Wire.ProtocolException;
import io.isola.linux.Libc;
import io.isola.linux.Sockets;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The host's end of a VM cell's network port ({@code isola.net}): the task's proxy connections, multiplexed as
 * {@link Mux} frames, each handed to the egress as an {@link Egress.Connection} with the cell's id. Everything the
 * guest sends is hostile: a frame is bounded from its header, an id at or over {@link Mux#MAX_CONNECTIONS} or one
 * that is not open (or already open, for an OPEN), DATA beyond the credit or after EOF, a credit never owed, a
 * second EOF or CLOSE: each ends this channel (every connection of the cell closes, the cell has no network from
 * then on) with one message, and nothing else of the host. Host memory per cell is bounded by the connections times
 * {@link Mux#WINDOW}.
 */
final class VmNetChannel implements AutoCloseable {
    private final int fd;
    private final String cellId;
    private final Egress egress;
    private final Consumer<String> onBroken;
    private final DataInputStream in;
    private final OutputStream out;
    private final VmConnection[] byId = new VmConnection[Mux.MAX_CONNECTIONS];
    /** Every connection the egress was given and has not closed, ids freed or not: closing the cell closes them. */
    private final List<VmConnection> held = new ArrayList<>();

    private volatile boolean closed;
    private Thread reader;

    /**
     * @param fd the host's end of the port's socket pair (owned from here: {@link #close} closes it)
     * @param onBroken told why, once, when the guest breaks the protocol
     */
    VmNetChannel(int fd, String cellId, Egress egress, Consumer<String> onBroken) {
        this(fd, FdStreams.in(fd), FdStreams.out(fd), cellId, egress, onBroken);
    }

    VmNetChannel(int fd, InputStream in, OutputStream out, String cellId, Egress egress, Consumer<String> onBroken) {
        this.fd = fd;
        this.in = new DataInputStream(new BufferedInputStream(in, 128 << 10));
        this.out = out;
        this.cellId = cellId;
        this.egress = egress;
        this.onBroken = onBroken;
    }

    /** Starts reading the guest's frames on a thread of its own. */
    VmNetChannel start() {
        reader = Thread.ofPlatform().daemon().name("vm-net-" + cellId).start(this::read);
        return this;
    }

    private void read() {
        try {
            Mux.Frame f;
            while (!closed && (f = Mux.read(in)) != null) {
                handle(f);
            }
        } catch (ProtocolException e) {
            if (!closed) {
                onBroken.accept("the guest broke the network channel's protocol: " + e.getMessage()
                        + "; the cell's connections were closed and it has no network from now on");
            }
        } catch (IOException e) {
            // the VM ended, or the channel was closed
        } finally {
            closeConnections();
            if (!closed) {
                Sockets.shutdown(fd); // the guest hears nothing more; the descriptor stays the VM's until close
            }
        }
    }

    private void handle(Mux.Frame f) throws IOException {
        if (f.type() == Mux.OPEN) {
            open(f.id());
            return;
        }
        VmConnection c;
        synchronized (byId) {
            c = byId[f.id()];
        }
        if (c == null) {
            throw new ProtocolException(
                    "a frame of type " + f.type() + " for connection " + f.id() + ", which is not open");
        }
        switch (f.type()) {
            case Mux.DATA -> c.inbox.add(f.data());
            case Mux.EOF -> c.inbox.end();
            case Mux.CREDIT -> c.window.grant(f.credit());
            case Mux.CLOSE -> {
                c.closedByGuest();
                synchronized (byId) {
                    byId[f.id()] = null; // CLOSE went both ways: closedByGuest answered if we had not closed first
                }
            }
            default -> throw new ProtocolException("unexpected frame type " + f.type());
        }
    }

    private void open(int id) throws IOException {
        VmConnection c = new VmConnection(this, id);
        synchronized (byId) {
            if (byId[id] != null) {
                throw new ProtocolException(
                        "OPEN of connection " + id + ", which is open (at most " + Mux.MAX_CONNECTIONS + " at once)");
            }
            byId[id] = c;
            held.add(c);
        }
        try {
            egress.accept(cellId, c);
        } catch (RuntimeException e) {
            c.close(); // the egress refused it by failing: the task sees its connection end
        }
    }

    /** Sends a frame of {@code c}; after its CLOSE only a (late) CLOSE, which is dropped. */
    void send(VmConnection c, Mux.Frame f) throws IOException {
        synchronized (out) {
            if (closed) {
                throw new java.nio.channels.ClosedChannelException();
            }
            if (c.closeSent) {
                if (f.type() == Mux.CLOSE || f.type() == Mux.CREDIT) {
                    return;
                }
                throw new java.nio.channels.ClosedChannelException();
            }
            if (f.type() == Mux.CLOSE) {
                c.closeSent = true;
            }
            Mux.write(out, f);
        }
    }

    void forget(VmConnection c) {
        synchronized (byId) {
            held.remove(c);
        }
    }

    /** How many connections the egress holds (for tests). */
    int held() {
        synchronized (byId) {
            return held.size();
        }
    }

    private void closeConnections() {
        List<VmConnection> all;
        synchronized (byId) {
            all = List.copyOf(held);
            held.clear();
            java.util.Arrays.fill(byId, null);
        }
        for (VmConnection c : all) {
            c.detach();
        }
    }

    /** Whether the reading thread has ended (for tests: none may outlive {@link #close}). */
    boolean ended() {
        return reader == null || !reader.isAlive();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        synchronized (out) {
            closed = true; // no writer is in the middle of a frame from here, and none starts one
        }
        Sockets.shutdown(fd);
        if (reader != null && Thread.currentThread() != reader) {
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeConnections();
        Libc.close(fd);
    }
}
