package io.isola.guest;

import io.isola.guest.Wire.Payload;
import io.isola.guest.Wire.ProtocolException;

/**
 * MIRROR, host to guest, before RUN: make {@code path} a tmpfs of at most {@code bytes} and {@code inodes} names, and
 * while the task runs send every change of its regular files back (a window's screen folder, which on the host is a
 * folder of the same size that only the host writes).
 */
public record MirrorRequest(String path, long bytes, int inodes) implements Wire.Message {
    @Override
    public byte[] encode() {
        return new Wire.Builder().str(path).i64(bytes).i32(inodes).bytes();
    }

    public static MirrorRequest decode(Payload p) throws ProtocolException {
        String path = p.str();
        long bytes = p.i64();
        int inodes = p.i32();
        p.end();
        if (!path.startsWith("/") || bytes <= 0 || inodes <= 0) {
            throw new ProtocolException("a MIRROR of " + path + " with " + bytes + " bytes and " + inodes + " names");
        }
        return new MirrorRequest(path, bytes, inodes);
    }
}
