package io.isola.net;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The two DNS messages the resolver needs (RFC 1035): a query for A or AAAA, and the addresses of its answer. */
final class DnsMessage {
    static final int A = 1, AAAA = 28;

    private DnsMessage() {}

    /** The addresses an answer gives, with the smallest TTL among them (seconds). */
    record Answer(List<InetAddress> addresses, long ttl, int rcode) {}

    static byte[] query(int id, String name, int type) {
        ByteBuffer b = ByteBuffer.allocate(18 + name.length());
        b.putShort((short) id)
                .putShort((short) 0x0100)
                .putShort((short) 1)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 0);
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            b.put((byte) l.length).put(l);
        }
        b.put((byte) 0).putShort((short) type).putShort((short) 1);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** Reads an answer to {@link #query}; anything that does not fit it (id, name, type) is an IOException. */
    static Answer answer(ByteBuffer b, int id, String name, int type) throws IOException {
        try {
            if ((b.getShort() & 0xffff) != id) {
                throw new IOException("a DNS answer with another id");
            }
            int flags = b.getShort() & 0xffff;
            int qd = b.getShort() & 0xffff, an = b.getShort() & 0xffff;
            b.getShort();
            b.getShort();
            if ((flags & 0x8000) == 0 || qd != 1) {
                throw new IOException("not a DNS answer to one question");
            }
            String qname = readName(b);
            if (!qname.equalsIgnoreCase(name) || (b.getShort() & 0xffff) != type) {
                throw new IOException("a DNS answer to another question");
            }
            b.getShort();
            int rcode = flags & 0xf;
            List<InetAddress> out = new ArrayList<>();
            long ttl = Long.MAX_VALUE;
            for (int i = 0; i < an; i++) {
                readName(b);
                int rtype = b.getShort() & 0xffff, rclass = b.getShort() & 0xffff;
                long rttl = b.getInt() & 0xffffffffL;
                int len = b.getShort() & 0xffff;
                byte[] data = new byte[len];
                b.get(data);
                boolean fits = (rtype == A && len == 4) || (rtype == AAAA && len == 16);
                if (rclass == 1 && rtype == type && fits) {
                    out.add(InetAddress.getByAddress(data));
                    ttl = Math.min(ttl, rttl);
                }
            }
            return new Answer(out, ttl == Long.MAX_VALUE ? 0 : ttl, rcode);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new IOException("a malformed DNS answer");
        }
    }

    /** A name, following compression pointers (at most 32 of them, so a loop of pointers ends). */
    private static String readName(ByteBuffer b) throws IOException {
        StringBuilder s = new StringBuilder();
        int resume = -1, jumps = 0;
        while (true) {
            int len = b.get() & 0xff;
            if (len == 0) {
                break;
            }
            if ((len & 0xc0) == 0xc0) {
                int ptr = ((len & 0x3f) << 8) | (b.get() & 0xff);
                if (++jumps > 32) {
                    throw new IOException("a DNS name that loops");
                }
                if (resume < 0) {
                    resume = b.position();
                }
                b.position(ptr);
                continue;
            }
            if ((len & 0xc0) != 0 || s.length() > 255) {
                throw new IOException("a malformed DNS name");
            }
            byte[] l = new byte[len];
            b.get(l);
            s.append(s.isEmpty() ? "" : ".").append(new String(l, StandardCharsets.ISO_8859_1));
        }
        if (resume >= 0) {
            b.position(resume);
        }
        return s.toString();
    }
}
