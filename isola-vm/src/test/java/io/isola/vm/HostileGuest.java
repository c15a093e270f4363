package io.isola.vm;

import io.isola.guest.Wire;
import io.isola.linux.Libc;
import io.isola.linux.Sockets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * A taken-over guest at one end of a real socket pair, whose other end a host channel under test reads: it writes
 * raw bytes, as the guest's side of a virtio-serial port would. Shared by the hostile agent, network and mirror tests.
 */
final class HostileGuest {
    private final int[] pair = Sockets.pair();
    private Thread sender;

    /** The end the host's channel takes. */
    int hostEnd() {
        return pair[0];
    }

    /** Writes these bytes from a thread of its own (a flood may fill the socket buffer before the host reads). */
    void sends(byte[] bytes) {
        sender = Thread.ofPlatform().start(() -> {
            try {
                Libc.write(pair[1], bytes);
            } catch (RuntimeException e) {
                // the host hung up on us: expected
            }
        });
    }

    /** Writes these bytes now, from the caller's thread. */
    void sendsNow(byte[] bytes) {
        Libc.write(pair[1], bytes);
    }

    /** Waits until what {@link #sends} wrote is in the socket. */
    void sent() throws InterruptedException {
        sender.join();
    }

    /** What the host sent back, at most {@code max} bytes of it. */
    byte[] reads(int max) {
        return Libc.read(pair[1], max);
    }

    /** After the host closed its end: hangs up, waits for the sender and closes the guest's end. */
    void close() throws InterruptedException {
        Sockets.shutdown(pair[1]);
        if (sender != null) {
            sender.join(10_000);
        }
        Libc.close(pair[1]);
    }

    /** One frame of the agent's wire format, as the guest's own codec lays it out. */
    static byte[] frame(byte type, byte[] payload) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Wire.write(b, type, payload);
        return b.toByteArray();
    }
}
