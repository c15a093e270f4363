package io.isola.vm;

import io.isola.core.Egress;
import io.isola.guest.Inbox;
import io.isola.guest.Mux;
import io.isola.guest.Window;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * One connection the task made to its proxy address, as the egress gets it: reads wait for the guest's DATA and
 * give credit back as they consume it; writes become DATA frames within the credit the guest gives (waiting for it,
 * so a task that does not read stalls only its own connection); {@link #shutdownOutput} sends EOF and
 * {@link #close} CLOSE. When the guest closes it, reads get what is left and then the end of the stream, and writes
 * fail.
 */
final class VmConnection implements Egress.Connection {
    final int id;
    final Inbox inbox = new Inbox();
    final Window window = new Window();
    private final VmNetChannel channel;
    /** Set under the channel's output lock, as the CLOSE frame is written. */
    volatile boolean closeSent;

    private volatile boolean open = true;
    private volatile boolean outputShut;

    VmConnection(VmNetChannel channel, int id) {
        this.channel = channel;
        this.id = id;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        int n;
        try {
            n = inbox.read(dst);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading from the cell");
        }
        int credit = inbox.creditToReturn();
        if (credit > 0 && open) {
            try {
                channel.send(this, Mux.Frame.credit(id, credit));
            } catch (ClosedChannelException e) {
                // closed meanwhile: the bytes were read all the same
            }
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!open || outputShut) {
            throw new ClosedChannelException();
        }
        int written = 0;
        while (src.hasRemaining()) {
            int n;
            try {
                n = window.take(Math.min(src.remaining(), Mux.MAX_DATA));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing to the cell");
            }
            if (n == 0) {
                throw new IOException("the cell closed the connection");
            }
            byte[] data = new byte[n];
            src.get(data);
            channel.send(this, Mux.Frame.data(id, data));
            written += n;
        }
        return written;
    }

    @Override
    public void shutdownOutput() throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        if (!outputShut) {
            outputShut = true;
            channel.send(this, Mux.Frame.eof(id));
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        if (!open) {
            return;
        }
        open = false;
        inbox.discard();
        window.close();
        channel.forget(this);
        try {
            channel.send(this, Mux.Frame.close(id));
        } catch (ClosedChannelException e) {
            // the channel is gone: nothing to tell the guest
        }
    }

    /** The guest's CLOSE: answered at once unless we closed first, so the id is free on both sides. */
    void closedByGuest() throws IOException {
        if (inbox.closedByPeer()) {
            throw new io.isola.guest.Wire.ProtocolException("a second CLOSE of connection " + id);
        }
        window.close();
        channel.send(this, Mux.Frame.close(id));
    }

    /** The channel ended (the cell closed, or its guest broke the protocol): the connection is closed. */
    void detach() {
        open = false;
        inbox.discard();
        window.close();
    }
}
