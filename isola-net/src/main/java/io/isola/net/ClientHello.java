package io.isola.net;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The server name (SNI) a TLS ClientHello asks for, read without terminating TLS: the handshake message is
 * gathered from its records by the caller ({@link #handshakeLength}) and parsed here. A ClientHello that cannot be
 * read is refused, as is anything that is not one.
 */
final class ClientHello {
    /** The largest ClientHello accepted: real ones are 0.5 to 2 KiB, post-quantum key shares included. */
    static final int MAX = 16 * 1024;

    private ClientHello() {}

    /**
     * From the bytes of TLS records gathered so far: the handshake payload (record headers removed) when the whole
     * ClientHello is there, else null to read more. Throws {@link Target.Refused} for what is not TLS.
     */
    static byte[] handshake(byte[] records, int len) {
        ByteBuffer payload = ByteBuffer.allocate(len);
        int at = 0;
        while (at + 5 <= len) {
            if (records[at] != 22 || records[at + 1] != 3) {
                throw new Target.Refused(
                        "not-tls", "the tunnel does not start with a TLS handshake: CONNECT carries " + "TLS only");
            }
            int rlen = (records[at + 3] & 0xff) << 8 | (records[at + 4] & 0xff);
            if (rlen == 0 || rlen > 16384 + 256 || at + 5 + rlen > len) {
                if (rlen == 0 || rlen > 16384 + 256) {
                    throw new Target.Refused("not-tls", "a TLS record of impossible length");
                }
                break;
            }
            payload.put(records, at + 5, rlen);
            at += 5 + rlen;
            if (payload.position() >= 4) {
                if (payload.get(0) != 1) {
                    throw new Target.Refused("not-tls", "the first TLS handshake message is not a ClientHello");
                }
                int mlen = (payload.get(1) & 0xff) << 16 | (payload.get(2) & 0xff) << 8 | (payload.get(3) & 0xff);
                if (mlen > MAX) {
                    throw new Target.Refused("not-tls", "a ClientHello larger than 16 KiB");
                }
                if (payload.position() >= 4 + mlen) {
                    return java.util.Arrays.copyOf(payload.array(), 4 + mlen);
                }
            }
        }
        if (len >= 1 && records[0] != 22) {
            throw new Target.Refused(
                    "not-tls", "the tunnel does not start with a TLS handshake: CONNECT carries TLS " + "only");
        }
        return null;
    }

    /** The host_name of the server_name extension, or null when the ClientHello has none. */
    static String serverName(byte[] hello) {
        try {
            ByteBuffer b = ByteBuffer.wrap(hello);
            b.position(4 + 2 + 32); // type, length; version; random
            skip(b, b.get() & 0xff); // session id
            skip(b, b.getShort() & 0xffff); // cipher suites
            skip(b, b.get() & 0xff); // compression methods
            if (!b.hasRemaining()) {
                return null;
            }
            int end = (b.getShort() & 0xffff) + b.position();
            while (b.position() + 4 <= end) {
                int type = b.getShort() & 0xffff, len = b.getShort() & 0xffff;
                if (type != 0) {
                    skip(b, len);
                    continue;
                }
                b.getShort(); // list length
                if (b.get() != 0) {
                    throw new Target.Refused("bad-sni", "a server_name that is not a host name");
                }
                byte[] name = new byte[b.getShort() & 0xffff];
                b.get(name);
                return new String(name, StandardCharsets.ISO_8859_1);
            }
            return null;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new Target.Refused("not-tls", "a malformed ClientHello");
        }
    }

    private static void skip(ByteBuffer b, int n) {
        b.position(b.position() + n);
    }
}
