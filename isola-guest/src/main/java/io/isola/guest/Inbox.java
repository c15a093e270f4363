package io.isola.guest;

import io.isola.guest.Wire.ProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The receiving half of one connection: the DATA the peer sent and nobody has read yet, never more than
 * {@link Mux#WINDOW} bytes unless the peer ignored its credit (a protocol error). Reading returns credit in batches
 * of a quarter window, so a reader of single bytes does not answer each one with a frame; a sender waits only once
 * its whole window is out, and by then at least that quarter has been returned.
 */
public final class Inbox {
    private static final int RETURN_AT = Mux.WINDOW / 4;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int offset;
    /** Bytes the peer sent that are not yet credited back. */
    private int outstanding;
    /** Bytes read and not yet credited back. */
    private int consumed;
    /** The peer sent EOF or CLOSE: no more DATA may come. */
    private boolean ended;

    private boolean peerClosed;
    /** Nobody reads any more: DATA is counted against the credit, then dropped. */
    private boolean discarding;

    /** Takes a DATA frame's bytes; refuses them after the peer's end or beyond its credit. */
    public synchronized void add(byte[] data) throws ProtocolException {
        if (ended) {
            throw new ProtocolException("DATA after the " + (peerClosed ? "CLOSE" : "EOF") + " of its connection");
        }
        outstanding += data.length;
        if (outstanding > Mux.WINDOW) {
            throw new ProtocolException("DATA beyond the credit: " + outstanding + " bytes unacknowledged, the window "
                    + "is " + Mux.WINDOW);
        }
        if (!discarding) {
            chunks.add(data);
            notifyAll();
        }
    }

    /** The peer's EOF: a reader gets what is left, then the end of the stream. */
    public synchronized void end() throws ProtocolException {
        if (ended) {
            throw new ProtocolException(peerClosed ? "EOF after CLOSE" : "a second EOF of the same connection");
        }
        ended = true;
        notifyAll();
    }

    /**
     * The peer's CLOSE: it is gone, a reader gets what is left, then the end of the stream; no more DATA may come.
     * Returns whether the peer had closed already (a second CLOSE, which no honest peer sends).
     */
    public synchronized boolean closedByPeer() {
        boolean before = peerClosed;
        peerClosed = true;
        ended = true;
        notifyAll();
        return before;
    }

    /** Nobody will read any more: what is held and what still comes is dropped (its credit still counts). */
    public synchronized void discard() {
        discarding = true;
        chunks.clear();
        offset = 0;
        notifyAll();
    }

    /** Waits for bytes; copies what fits into {@code dst}; -1 at the end of the stream. */
    public synchronized int read(ByteBuffer dst) throws InterruptedException {
        while (chunks.isEmpty() && !ended && !discarding) {
            wait();
        }
        if (chunks.isEmpty()) {
            return -1;
        }
        int n = 0;
        while (dst.hasRemaining() && !chunks.isEmpty()) {
            byte[] head = chunks.peek();
            int k = Math.min(dst.remaining(), head.length - offset);
            dst.put(head, offset, k);
            offset += k;
            n += k;
            if (offset == head.length) {
                chunks.poll();
                offset = 0;
            }
        }
        consumed += n;
        return n;
    }

    /** The credit to send back now (taken), or 0 when too little was read to be worth a frame. */
    public synchronized int creditToReturn() {
        if (consumed < RETURN_AT || discarding) {
            return 0;
        }
        int n = consumed;
        consumed = 0;
        outstanding -= n;
        return n;
    }
}
