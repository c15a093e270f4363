package io.isola.vm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Reads just enough of an ELF file to tell whether it runs alone: a program with a PT_INTERP header needs that
 * interpreter (ld.so) and the libraries it loads, which the initramfs does not have when /init first runs.
 */
final class Elf {
    private static final int PT_INTERP = 3;

    private Elf() {}

    /** The interpreter {@code file} names (e.g. /lib64/ld-linux-x86-64.so.2), or empty for a static program. */
    static Optional<String> interpreter(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer h = read(ch, 0, 64);
            if (h.getInt(0) != 0x464c457f || h.get(4) != 2 || h.get(5) != 1) { // "\177ELF", 64-bit, little-endian
                throw new IOException("not a 64-bit little-endian ELF program");
            }
            long phoff = h.getLong(0x20);
            int phentsize = Short.toUnsignedInt(h.getShort(0x36));
            int phnum = Short.toUnsignedInt(h.getShort(0x38));
            if (phentsize < 56 || phnum > 256) {
                throw new IOException("a malformed ELF program header table");
            }
            for (int i = 0; i < phnum; i++) {
                ByteBuffer ph = read(ch, phoff + (long) i * phentsize, 56);
                if (ph.getInt(0) == PT_INTERP) {
                    long size = ph.getLong(0x20);
                    if (size <= 0 || size > 4096) {
                        throw new IOException("a malformed ELF interpreter header");
                    }
                    ByteBuffer name = read(ch, ph.getLong(0x08), (int) size);
                    String s = new String(name.array(), 0, (int) size, java.nio.charset.StandardCharsets.UTF_8);
                    return Optional.of(s.indexOf('\0') >= 0 ? s.substring(0, s.indexOf('\0')) : s);
                }
            }
            return Optional.empty();
        }
    }

    private static ByteBuffer read(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new IOException("a truncated ELF file");
            }
        }
        return b.flip();
    }
}
