package io.isola.guest;

import io.isola.guest.Wire.Payload;
import io.isola.guest.Wire.ProtocolException;

/** MIRROR_GONE, guest to host: the mirrored folder's file {@code name} is no more. */
public record MirrorGone(String name) implements Wire.Message {
    @Override
    public byte[] encode() {
        return new Wire.Builder().str(name).bytes();
    }

    public static MirrorGone decode(Payload p) throws ProtocolException {
        String name = p.str();
        p.end();
        return new MirrorGone(name);
    }
}
