package io.isola.guest;

import io.isola.guest.Wire.Payload;
import io.isola.guest.Wire.ProtocolException;

/** MKDIR and FILE, host to guest: the absolute path in the cell of the directory to make or the file that follows. */
public record CellPath(String path) implements Wire.Message {
    @Override
    public byte[] encode() {
        return new Wire.Builder().str(path).bytes();
    }

    public static CellPath decode(Payload p) throws ProtocolException {
        String path = p.str();
        p.end();
        return new CellPath(path);
    }
}
