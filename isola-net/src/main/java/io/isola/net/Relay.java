package io.isola.net;

import io.isola.core.Egress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Copies bytes both ways between a cell's connection and the server until both ends are done, with no look at the
 * bytes: a large direct buffer per direction (the kernel copies straight to and from it), one virtual thread each.
 * Buffers are pooled so that a busy proxy does not churn direct memory.
 */
final class Relay {
    static final int DOWN = 256 * 1024, UP = 64 * 1024;
    /** How long the upload side may go on after the server has finished and closed. */
    private static final Duration LINGER = Duration.ofSeconds(30);

    private static final ArrayBlockingQueue<ByteBuffer> DOWN_POOL = new ArrayBlockingQueue<>(64);
    private static final ArrayBlockingQueue<ByteBuffer> UP_POOL = new ArrayBlockingQueue<>(256);

    private Relay() {}

    /** Relays until both directions end or either fails; then closes both. */
    static void run(Egress.Connection client, SocketChannel server) throws InterruptedException {
        Thread up = Thread.ofVirtual().name("egress-up").start(() -> {
            ByteBuffer b = take(UP_POOL, UP);
            try {
                pump(client, server, b);
                server.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(server);
                closeQuietly(client);
            } finally {
                UP_POOL.offer(b);
            }
        });
        ByteBuffer b = take(DOWN_POOL, DOWN);
        try {
            pump(server, client, b);
            client.shutdownOutput();
            up.join(LINGER);
        } catch (IOException e) {
            // either side gone: close both below
        } finally {
            closeQuietly(server);
            closeQuietly(client);
            up.join();
            DOWN_POOL.offer(b);
        }
    }

    private static void pump(ByteChannel from, ByteChannel to, ByteBuffer b) throws IOException {
        while (true) {
            b.clear();
            if (from.read(b) < 0) {
                return;
            }
            b.flip();
            while (b.hasRemaining()) {
                to.write(b);
            }
        }
    }

    private static ByteBuffer take(ArrayBlockingQueue<ByteBuffer> pool, int size) {
        ByteBuffer b = pool.poll();
        return b != null ? b : ByteBuffer.allocateDirect(size);
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException e) {
            // already closed or broken: nothing more to do
        }
    }
}
