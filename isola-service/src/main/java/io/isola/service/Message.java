package io.isola.service;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One frame of the service's protocol: an ordered list of {@code key = value} text fields, where a key may repeat
 * (a list: each {@code arg} of a command, each {@code ro} path). On the wire a frame is its body's length (4 bytes,
 * big-endian) and the body; the body is, per field, the key's length (1 byte), the key (ASCII), the value's length
 * (4 bytes) and the value (UTF-8). No JSON: the client decodes nothing it did not need, and a desktop client writes
 * it in a few lines of any language. Frames are bounded ({@link #MAX_BYTES}, {@link #MAX_FIELDS}); anything else is
 * refused with {@link BadFrame} before the daemon acts on it. See docs/service.md.
 */
public final class Message {
    /** A request of 256 KiB carries any real command line and environment; more is not a client of ours. */
    public static final int MAX_BYTES = 256 << 10;

    public static final int MAX_FIELDS = 4096;

    private final List<String> keys = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    /** The frame does not follow the protocol; the message says how, for the one-line error. */
    public static final class BadFrame extends Exception {
        public BadFrame(String message) {
            super(message);
        }
    }

    public Message add(String key, String value) {
        if (key.isEmpty() || key.length() > 64 || !key.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException("bad key " + key);
        }
        keys.add(key);
        values.add(value);
        return this;
    }

    public Message add(String key, long value) {
        return add(key, Long.toString(value));
    }

    /** The first value of {@code key}, or null. */
    public String get(String key) {
        int i = keys.indexOf(key);
        return i < 0 ? null : values.get(i);
    }

    public List<String> all(String key) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i).equals(key)) {
                out.add(values.get(i));
            }
        }
        return out;
    }

    public byte[] encode() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < keys.size(); i++) {
            byte[] k = keys.get(i).getBytes(StandardCharsets.US_ASCII);
            byte[] v = values.get(i).getBytes(StandardCharsets.UTF_8);
            body.write(k.length);
            body.writeBytes(k);
            body.writeBytes(ByteBuffer.allocate(4).putInt(v.length).array());
            body.writeBytes(v);
        }
        if (body.size() > MAX_BYTES || keys.size() > MAX_FIELDS) {
            throw new IllegalArgumentException("a request may hold at most " + (MAX_BYTES >> 10) + " KiB and "
                    + MAX_FIELDS + " fields: name fewer files or shorter arguments");
        }
        return ByteBuffer.allocate(4 + body.size())
                .putInt(body.size())
                .put(body.toByteArray())
                .array();
    }

    /** The body's length from a frame's 4-byte header, refusing what is out of bounds before reading further. */
    public static int length(byte[] header) throws BadFrame {
        int n = ByteBuffer.wrap(header).getInt();
        if (n < 0 || n > MAX_BYTES) {
            throw new BadFrame("a frame of " + Integer.toUnsignedString(n) + " bytes is larger than the " + MAX_BYTES
                    + " the service takes");
        }
        return n;
    }

    public static Message decode(byte[] body) throws BadFrame {
        Message m = new Message();
        ByteBuffer b = ByteBuffer.wrap(body);
        var utf8 = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        while (b.hasRemaining()) {
            if (m.keys.size() >= MAX_FIELDS) {
                throw new BadFrame("more than " + MAX_FIELDS + " fields");
            }
            int kl = b.get() & 0xff;
            if (kl == 0 || kl > 64 || b.remaining() < kl + 4) {
                throw new BadFrame("a field is cut short or has a bad key length");
            }
            byte[] k = new byte[kl];
            b.get(k);
            int vl = b.getInt();
            if (vl < 0 || vl > b.remaining()) {
                throw new BadFrame("a value runs past the end of its frame");
            }
            byte[] v = new byte[vl];
            b.get(v);
            String key = new String(k, StandardCharsets.US_ASCII);
            if (!key.chars().allMatch(c -> c > 32 && c < 127)) {
                throw new BadFrame("a key holds characters other than printable ASCII");
            }
            try {
                String value = utf8.decode(ByteBuffer.wrap(v)).toString();
                if (value.indexOf('\0') >= 0) {
                    throw new BadFrame("the value of " + key + " holds a NUL character");
                }
                m.keys.add(key);
                m.values.add(value);
            } catch (CharacterCodingException e) {
                throw new BadFrame("the value of " + key + " is not UTF-8");
            }
        }
        return m;
    }
}
