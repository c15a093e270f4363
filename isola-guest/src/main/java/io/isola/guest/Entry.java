package io.isola.guest;

import io.isola.guest.Wire.Payload;
import io.isola.guest.Wire.ProtocolException;

/**
 * ENTRY, guest to host: one thing the finished task left. For a regular file, exactly {@code size} bytes of
 * contents follow as DATA frames, then DATA_END. The host trusts none of it; its decode refuses what no honest
 * agent sends, and the host then checks the path before anything uses it.
 *
 * @param mode the permission bits ({@code st_mode & 07777}); the type travels as {@link Type}
 * @param links the hard-link count
 * @param size the number of content bytes that follow (0 for all but regular files)
 * @param path the path below the walked directory, '/'-separated
 * @param input for a changed input, its path in the cell; else empty
 */
public record Entry(Kind kind, Type type, int mode, long links, long size, String path, String input)
        implements Wire.Message {
    private static final int PERMISSION_BITS = 07777;

    /** Why the entry is sent. Its code is the wire's: fixed per constant, so the order here is free. */
    public enum Kind {
        CREATED(0),
        CHANGED_INPUT(1);

        public final int code;

        Kind(int code) {
            this.code = code;
        }

        public static Kind fromCode(int code) throws ProtocolException {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            throw new ProtocolException("unknown entry kind " + code);
        }
    }

    /** What the entry is. Its code is the wire's: fixed per constant, so the order here is free. */
    public enum Type {
        FILE(0),
        DIRECTORY(1),
        SYMLINK(2),
        FIFO(3),
        DEVICE(4),
        SOCKET(5),
        OTHER(6);

        public final int code;

        Type(int code) {
            this.code = code;
        }

        public static Type fromCode(int code) throws ProtocolException {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new ProtocolException("unknown entry type " + code);
        }

        /** The twin of the host's Harvester.EntryType.ofMode: the agent has no dependencies, so it keeps its own. */
        public static Type ofMode(int mode) {
            return switch (mode & 0170000) {
                case 0100000 -> FILE;
                case 0040000 -> DIRECTORY;
                case 0120000 -> SYMLINK;
                case 0010000 -> FIFO;
                case 0020000, 0060000 -> DEVICE;
                case 0140000 -> SOCKET;
                default -> OTHER;
            };
        }
    }

    @Override
    public byte[] encode() {
        return new Wire.Builder()
                .u8(kind.code)
                .u8(type.code)
                .i32(mode)
                .i64(links)
                .i64(size)
                .str(path)
                .str(input)
                .bytes();
    }

    public static Entry decode(Payload p) throws ProtocolException {
        Kind kind = Kind.fromCode(p.u8());
        Type type = Type.fromCode(p.u8());
        int mode = p.i32();
        long links = p.i64();
        long size = p.i64();
        String path = p.str();
        String input = p.str();
        p.end();
        if ((mode & ~PERMISSION_BITS) != 0) {
            throw new ProtocolException("an entry's mode holds more than permission bits");
        }
        if (links < 0 || size < 0) {
            throw new ProtocolException("an entry with a negative link count or size");
        }
        return new Entry(kind, type, mode, links, size, path, input);
    }
}
