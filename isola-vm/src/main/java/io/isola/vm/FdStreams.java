package io.isola.vm;

import io.isola.linux.Libc;
import io.isola.linux.LinuxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/** Streams over a raw descriptor (one end of a socket pair); the JDK cannot wrap a descriptor it did not open. */
final class FdStreams {
    private FdStreams() {}

    static InputStream in(int fd) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                try {
                    byte[] got = Libc.read(fd, Math.min(len, 64 << 10));
                    if (got.length == 0) {
                        return -1;
                    }
                    System.arraycopy(got, 0, b, off, got.length);
                    return got.length;
                } catch (LinuxException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
        };
    }

    static OutputStream out(int fd) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    Libc.write(fd, off == 0 && len == b.length ? b : Arrays.copyOfRange(b, off, off + len));
                } catch (LinuxException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
        };
    }
}
