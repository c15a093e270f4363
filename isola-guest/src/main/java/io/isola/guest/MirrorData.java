package io.isola.guest;

import io.isola.guest.Wire.Payload;
import io.isola.guest.Wire.ProtocolException;

/**
 * MIRROR_DATA, guest to host: {@code data} belongs at {@code offset} of the mirrored folder's file {@code name}, whose
 * whole size is now {@code size}. {@code fresh}: the file is new (or was replaced) and this round sends all of it, so
 * the host builds it aside and puts it in place, whole, when the round ends.
 */
public record MirrorData(String name, long size, long offset, boolean fresh, byte[] data) implements Wire.Message {
    /** What a frame holds besides the data, at most: the name (up to {@link #MAX_NAME}), sizes and the flag. */
    public static final int OVERHEAD = 2 + 255 + 8 + 8 + 1;
    /** The longest name the host takes (a folder of Isola's own holds short names only). */
    public static final int MAX_NAME = 64;

    private static final java.util.regex.Pattern NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_NAME - 1) + "}");

    /**
     * Whether a file of this name is mirrored: short plain names only. Hidden names (a leading dot) are a program's
     * temporaries, such as the clipboard file before its rename, and stay in the guest.
     */
    public static boolean mirrored(String name) {
        return NAME.matcher(name).matches();
    }

    @Override
    public byte[] encode() {
        return new Wire.Builder()
                .str(name)
                .i64(size)
                .i64(offset)
                .u8(fresh ? 1 : 0)
                .raw(data)
                .bytes();
    }

    public static MirrorData decode(Payload p) throws ProtocolException {
        String name = p.str();
        long size = p.i64();
        long offset = p.i64();
        int fresh = p.u8();
        byte[] data = p.rest();
        if (fresh > 1) {
            throw new ProtocolException("a MIRROR_DATA whose fresh flag is " + fresh + ", not 0 or 1");
        }
        if (size < 0 || offset < 0 || offset > size || data.length > size - offset) {
            throw new ProtocolException(
                    "a MIRROR_DATA of " + data.length + " bytes at " + offset + " of a file of " + size + " bytes");
        }
        return new MirrorData(name, size, offset, fresh == 1, data);
    }
}
