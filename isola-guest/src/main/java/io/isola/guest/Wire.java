package io.isola.guest;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The frame format between Isola and the guest agent, over one virtio-serial port: a type byte, a 4-byte big-endian
 * payload length, the payload. Both ends use this reader, which refuses oversized frames before reading them, so a
 * hostile peer can never make the other side allocate more than {@link #MAX_PAYLOAD}.
 */
public final class Wire {
    /** Largest payload either side accepts; file contents travel in several DATA frames. */
    public static final int MAX_PAYLOAD = 64 << 10;
    /** Longest path, in UTF-8 bytes, that crosses the channel (Linux's PATH_MAX). */
    public static final int MAX_PATH = 4096;

    // host -> guest
    public static final byte HELLO = 1, RUN = 2, STDIN = 3, STDIN_EOF = 4, FILE = 5, MKDIR = 6, KILL = 7, HARVEST = 8;
    // host -> guest: a folder to mirror (before RUN), and "the last round is in"
    public static final byte MIRROR = 9, MIRROR_ACK = 10;
    // both ways: the contents of the file announced before, then its end
    public static final byte DATA = 20, DATA_END = 21;
    // guest -> host
    public static final byte READY = 40, STDOUT = 41, STDERR = 42, EXIT = 43, ENTRY = 44, HARVEST_END = 45, ERROR = 46;
    // guest -> host, while the task runs: the mirrored folder's changes, a round at a time (see Mirror)
    public static final byte MIRROR_DATA = 47, MIRROR_GONE = 48, MIRROR_ROUND = 49;

    private Wire() {}

    public record Frame(byte type, byte[] payload) {
        public Payload reader() {
            return new Payload(payload);
        }
    }

    /** Reads one frame; null at a clean end of stream between frames. */
    public static Frame read(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        int len = in.readInt();
        if (len < 0 || len > MAX_PAYLOAD) {
            throw new ProtocolException(
                    "frame of " + Integer.toUnsignedString(len) + " bytes, over the limit of " + MAX_PAYLOAD);
        }
        byte[] payload = new byte[len];
        in.readFully(payload);
        return new Frame((byte) type, payload);
    }

    /** Writes one frame; callers that share a stream synchronize on it. */
    public static void write(OutputStream out, byte type, byte[] payload, int off, int len) throws IOException {
        if (len > MAX_PAYLOAD) {
            throw new IllegalArgumentException("frame too large: " + len);
        }
        byte[] head = {type, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
        out.write(head);
        out.write(payload, off, len);
    }

    public static void write(OutputStream out, byte type, byte[] payload) throws IOException {
        write(out, type, payload, 0, payload.length);
    }

    /** A message with a fixed layout, written out once: its record encodes it and its static decode reads it. */
    public interface Message {
        byte[] encode();
    }

    /** Builds a payload of big-endian fixed-width numbers and length-prefixed UTF-8 strings. */
    public static final class Builder {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        public Builder u8(int v) {
            bytes.write(v);
            return this;
        }

        public Builder u16(int v) {
            return u8(v >>> 8).u8(v);
        }

        public Builder i32(int v) {
            return u16(v >>> 16).u16(v);
        }

        public Builder i64(long v) {
            return i32((int) (v >>> 32)).i32((int) v);
        }

        /** A list's length: u16, so a hostile count can announce no more than a frame could hold anyway. */
        public Builder count(int n) {
            if (n < 0 || n > 0xffff) {
                throw new IllegalArgumentException(n + " items are more than one frame carries");
            }
            return u16(n);
        }

        public Builder str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xffff) {
                throw new IllegalArgumentException("string too long for a frame");
            }
            return u16(b.length).raw(b);
        }

        public Builder raw(byte[] b) {
            bytes.writeBytes(b);
            return this;
        }

        public byte[] bytes() {
            return bytes.toByteArray();
        }
    }

    /** Reads a payload strictly: a short payload, malformed UTF-8 or trailing bytes are protocol errors. */
    public static final class Payload {
        private final ByteBuffer buf;

        public Payload(byte[] payload) {
            this.buf = ByteBuffer.wrap(payload);
        }

        private void need(int n) throws ProtocolException {
            if (buf.remaining() < n) {
                throw new ProtocolException("frame ends early");
            }
        }

        public int u8() throws ProtocolException {
            need(1);
            return buf.get() & 0xff;
        }

        public int u16() throws ProtocolException {
            need(2);
            return buf.getShort() & 0xffff;
        }

        public int i32() throws ProtocolException {
            need(4);
            return buf.getInt();
        }

        public long i64() throws ProtocolException {
            need(8);
            return buf.getLong();
        }

        public String str() throws ProtocolException {
            int n = u16();
            need(n);
            ByteBuffer slice = buf.slice(buf.position(), n);
            buf.position(buf.position() + n);
            try {
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(slice)
                        .toString();
            } catch (CharacterCodingException e) {
                throw new ProtocolException("a string is not valid UTF-8");
            }
        }

        public byte[] rest() {
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            return b;
        }

        public void end() throws ProtocolException {
            if (buf.hasRemaining()) {
                throw new ProtocolException("frame has " + buf.remaining() + " unexpected trailing bytes");
            }
        }
    }

    /** The peer broke the protocol. */
    public static final class ProtocolException extends IOException {
        public ProtocolException(String message) {
            super(message);
        }
    }
}
