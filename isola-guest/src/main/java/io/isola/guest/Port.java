package io.isola.guest;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The agent's virtio-serial port as streams, read and written through one reused native buffer per direction.
 * <ul>
 *   <li>{@code FileInputStream} asks a character device for {@code available()} through lseek, which a virtio port
 *       refuses ("Illegal seek"); {@code BufferedInputStream} calls it whenever a frame arrives in pieces, which
 *       killed the agent on large inputs. Here {@code available()} is what the buffer holds, never a system call.</li>
 *   <li>For every read or write of more than 8 KiB, {@code FileInputStream}/{@code FileOutputStream} allocate a
 *       native buffer of that size, and glibc maps one of 128 KiB or more fresh and unmaps it again each time. The
 *       port delivers at most one 4 KiB virtio buffer per read, so a 128 KiB buffered read cost an mmap and an
 *       munmap (a TLB flush, dear under emulation) per 4 KiB: the host sent inputs at ~1 MB/s.</li>
 * </ul>
 * The two directions use separate channels, so that a read blocked on the port never holds a lock a writer needs.
 */
final class Port {
    private static final int BUFFER = 64 << 10;

    private Port() {}

    static InputStream in(FileDescriptor fd) {
        FileChannel ch = new FileInputStream(fd).getChannel();
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER).flip();
        return new InputStream() {
            /** Refills the buffer when it is empty; false at end of stream (the host is not connected). */
            private boolean fill() throws IOException {
                if (buf.hasRemaining()) {
                    return true;
                }
                buf.clear();
                int n = ch.read(buf);
                buf.flip();
                return n > 0;
            }

            @Override
            public int read() throws IOException {
                return fill() ? buf.get() & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int k = Math.min(len, buf.remaining());
                buf.get(b, off, k);
                return k;
            }

            @Override
            public int available() {
                return buf.remaining();
            }
        };
    }

    static OutputStream out(FileDescriptor fd) {
        FileChannel ch = new FileOutputStream(fd).getChannel();
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    int k = Math.min(len, BUFFER);
                    buf.clear();
                    buf.put(b, off, k).flip();
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    off += k;
                    len -= k;
                }
            }
        };
    }
}
