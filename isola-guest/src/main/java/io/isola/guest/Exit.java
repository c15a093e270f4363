package io.isola.guest;

import io.isola.guest.Wire.Payload;
import io.isola.guest.Wire.ProtocolException;

/** EXIT, guest to host: the task ended with this code (0-255; a signal shows as 128 + its number). */
public record Exit(int code) implements Wire.Message {
    @Override
    public byte[] encode() {
        return new Wire.Builder().i32(code).bytes();
    }

    public static Exit decode(Payload p) throws ProtocolException {
        int code = p.i32();
        p.end();
        if (code < 0 || code > 255) {
            throw new ProtocolException("exit code " + code + " is out of range");
        }
        return new Exit(code);
    }
}
