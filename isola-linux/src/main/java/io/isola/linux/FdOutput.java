package io.isola.linux;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lines to a descriptor held for somebody else (a client's stderr, a terminal's): never reopened by name, and quiet
 * once its reader has gone, since what it would have shown then has no one to show it to.
 */
public final class FdOutput extends OutputStream {
    private final int fd;

    private FdOutput(int fd) {
        this.fd = fd;
    }

    public static PrintStream print(int fd) {
        return new PrintStream(new FdOutput(fd), true, StandardCharsets.UTF_8);
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        try {
            Libc.write(fd, Arrays.copyOfRange(b, off, off + len));
        } catch (RuntimeException e) {
            // the client's stream is closed: what it would have shown has no reader
        }
    }
}
