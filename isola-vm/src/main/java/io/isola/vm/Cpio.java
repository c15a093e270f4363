package io.isola.vm;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a newc cpio archive, the format the kernel unpacks as an initramfs. Every timestamp and owner is fixed, so
 * the same inputs give the same bytes, and so the same image hash.
 */
final class Cpio implements AutoCloseable {
    private final OutputStream out;
    private long written;
    private int ino = 1;

    Cpio(OutputStream out) {
        this.out = out;
    }

    void directory(String path) throws IOException {
        entry(path, 0040755, new byte[0]);
    }

    void file(String path, int mode, byte[] data) throws IOException {
        entry(path, 0100000 | mode, data);
    }

    void symlink(String path, String target) throws IOException {
        entry(path, 0120777, target.getBytes(StandardCharsets.UTF_8));
    }

    private void entry(String path, int mode, byte[] data) throws IOException {
        byte[] name = (path + "\0").getBytes(StandardCharsets.UTF_8);
        String header = "070701" + hex(ino++) + hex(mode) + hex(0) + hex(0) + hex(1) + hex(0) + hex(data.length)
                + hex(0) + hex(0) + hex(0) + hex(0) + hex(name.length) + hex(0);
        write(header.getBytes(StandardCharsets.US_ASCII));
        write(name);
        pad();
        write(data);
        pad();
    }

    private static String hex(int v) {
        return String.format("%08x", v);
    }

    private void write(byte[] b) throws IOException {
        out.write(b);
        written += b.length;
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            write(new byte[1]);
        }
    }

    @Override
    public void close() throws IOException {
        entry("TRAILER!!!", 0, new byte[0]);
        out.close();
    }
}
