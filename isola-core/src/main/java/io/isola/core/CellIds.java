package io.isola.core;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HexFormat;

/** Cell ids: short, unique, safe as a file and cgroup name. */
public final class CellIds {
    private CellIds() {}

    /**
     * Six bytes from the kernel's random source. Read directly rather than through {@code SecureRandom}, whose
     * provider lookup costs a command line ~10 ms of interpreted start-up before its first cell.
     */
    public static String next() {
        byte[] b = new byte[6];
        try (FileInputStream in = new FileInputStream("/dev/urandom")) {
            if (in.readNBytes(b, 0, b.length) != b.length) {
                throw new IOException("short read");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /dev/urandom for a cell id", e);
        }
        return "c" + HexFormat.of().formatHex(b);
    }
}
