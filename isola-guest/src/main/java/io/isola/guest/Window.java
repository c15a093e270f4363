package io.isola.guest;

import io.isola.guest.Wire.ProtocolException;

/**
 * The sending half of one connection's flow control: how many bytes the peer still has room for. A sender takes
 * credit before each DATA frame and waits while there is none; the peer's CREDIT frames give it back. A peer that
 * gives back more than it was ever sent is lying, and that is a protocol error.
 */
public final class Window {
    private int credit = Mux.WINDOW;
    private boolean closed;

    /** Waits for credit; returns up to {@code want} bytes of it (taken), or 0 once the window is closed. */
    public synchronized int take(int want) throws InterruptedException {
        while (credit == 0 && !closed) {
            wait();
        }
        if (closed) {
            return 0;
        }
        int n = Math.min(want, credit);
        credit -= n;
        return n;
    }

    /** Gives back {@code n} bytes the peer consumed. */
    public synchronized void grant(int n) throws ProtocolException {
        if (n <= 0 || n > Mux.WINDOW - credit) {
            throw new ProtocolException("a credit of " + n + " bytes, more than was sent ahead");
        }
        credit += n;
        notifyAll();
    }

    /** No more sending: wakes a waiting sender, which then gets 0. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
