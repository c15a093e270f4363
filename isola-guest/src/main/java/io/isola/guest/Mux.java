package io.isola.guest;

import io.isola.guest.Wire.ProtocolException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The frames of the network port ({@code isola.net}), a second virtio-serial port beside the agent's so that a busy
 * download never delays a control frame. It carries the task's proxy connections, many at once, each named by an id
 * the guest picks: OPEN(id), DATA(id, bytes), EOF(id) (that side will send no more), CLOSE(id) (that side is gone;
 * the receiver answers with its own CLOSE unless it sent one, and an id is free again once each side has sent and
 * received one), CREDIT(id, n) (the receiver consumed n bytes: the sender may send n more). Each side may have at
 * most {@link #WINDOW} bytes of a connection unconsumed at the other, so one slow reader stalls only its own
 * connection and neither side ever buffers more than {@code WINDOW} per connection.
 *
 * <p>Layout: a type byte, a 4-byte big-endian payload length, the payload: a u16 id, then for DATA the bytes
 * (1..{@link #MAX_DATA}) and for CREDIT an i32 (1..{@link #WINDOW}). {@link #read} refuses any other shape, an id
 * at or over {@link #MAX_CONNECTIONS}, and an oversized frame from its header, before it allocates.
 */
public final class Mux {
    public static final byte OPEN = 1, DATA = 2, EOF = 3, CLOSE = 4, CREDIT = 5;
    /** Largest DATA payload. */
    public static final int MAX_DATA = 32 << 10;
    /** Bytes of one connection either side may send ahead of the other's CREDIT. */
    public static final int WINDOW = 128 << 10;
    /** Connections one cell may have open at once; ids run from 0 to this, exclusive. */
    public static final int MAX_CONNECTIONS = 256;

    private static final int ID = 2, MAX_PAYLOAD = ID + MAX_DATA;

    private Mux() {}

    /**
     * One frame. {@code credit} is only CREDIT's; {@code data} only DATA's (else empty).
     */
    public record Frame(byte type, int id, int credit, byte[] data) {
        public static Frame open(int id) {
            return new Frame(OPEN, id, 0, new byte[0]);
        }

        public static Frame eof(int id) {
            return new Frame(EOF, id, 0, new byte[0]);
        }

        public static Frame close(int id) {
            return new Frame(CLOSE, id, 0, new byte[0]);
        }

        public static Frame credit(int id, int n) {
            return new Frame(CREDIT, id, n, new byte[0]);
        }

        public static Frame data(int id, byte[] data) {
            return new Frame(DATA, id, 0, data);
        }
    }

    /** Writes one frame in a single call to {@code out}; callers that share a stream synchronize on it. */
    public static void write(OutputStream out, Frame f) throws IOException {
        out.write(encode(f));
    }

    static byte[] encode(Frame f) {
        if (f.id() < 0 || f.id() >= MAX_CONNECTIONS) {
            throw new IllegalArgumentException("connection id out of range: " + f.id());
        }
        int len = switch (f.type()) {
            case DATA -> {
                if (f.data().length == 0 || f.data().length > MAX_DATA) {
                    throw new IllegalArgumentException("DATA of " + f.data().length + " bytes");
                }
                yield ID + f.data().length;
            }
            case CREDIT -> ID + 4;
            case OPEN, EOF, CLOSE -> ID;
            default -> throw new IllegalArgumentException("unknown frame type " + f.type());
        };
        byte[] b = new byte[5 + len];
        b[0] = f.type();
        b[1] = (byte) (len >>> 24);
        b[2] = (byte) (len >>> 16);
        b[3] = (byte) (len >>> 8);
        b[4] = (byte) len;
        b[5] = (byte) (f.id() >>> 8);
        b[6] = (byte) f.id();
        if (f.type() == DATA) {
            System.arraycopy(f.data(), 0, b, 7, f.data().length);
        } else if (f.type() == CREDIT) {
            int n = f.credit();
            b[7] = (byte) (n >>> 24);
            b[8] = (byte) (n >>> 16);
            b[9] = (byte) (n >>> 8);
            b[10] = (byte) n;
        }
        return b;
    }

    /** Reads one frame strictly; null at a clean end of stream between frames. */
    public static Frame read(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        int len;
        try {
            len = in.readInt();
        } catch (EOFException e) {
            throw new ProtocolException("the stream ends inside a frame header");
        }
        if (type < OPEN || type > CREDIT) {
            throw new ProtocolException("unknown network frame type " + type);
        }
        if (len < 0 || len > MAX_PAYLOAD) {
            throw new ProtocolException(
                    "network frame of " + Integer.toUnsignedString(len) + " bytes, over the limit of " + MAX_PAYLOAD);
        }
        boolean fits = switch ((byte) type) {
            case DATA -> len > ID;
            case CREDIT -> len == ID + 4;
            default -> len == ID;
        };
        if (!fits) {
            throw new ProtocolException("network frame of type " + type + " with a payload of " + len + " bytes");
        }
        byte[] payload = new byte[len];
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            throw new ProtocolException("the stream ends inside a frame");
        }
        Wire.Payload p = new Wire.Payload(payload);
        int id = p.u16();
        if (id >= MAX_CONNECTIONS) {
            throw new ProtocolException("connection id " + id + ", over the limit of " + MAX_CONNECTIONS);
        }
        return switch ((byte) type) {
            case DATA -> new Frame(DATA, id, 0, p.rest());
            case CREDIT -> {
                int n = p.i32();
                if (n <= 0 || n > WINDOW) {
                    throw new ProtocolException("a credit of " + n + " bytes (1 to " + WINDOW + ")");
                }
                yield new Frame(CREDIT, id, n, new byte[0]);
            }
            default -> new Frame((byte) type, id, 0, new byte[0]);
        };
    }
}
