package io.isola.net;

import io.isola.core.Egress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * What an engine does for a cell, on the test's loopback: a listener whose every accepted connection goes to an
 * {@link Egress} as an {@link Egress.Connection}, the shape engines deliver.
 */
final class CellPort implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Thread acceptor;

    CellPort(Egress egress, String cellId) throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        acceptor = Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try {
                    egress.accept(cellId, new SocketConnection(server.accept()));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    int port() {
        return server.socket().getLocalPort();
    }

    String proxyUrl() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }

    record SocketConnection(SocketChannel ch) implements Egress.Connection {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            return ch.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return ch.write(src);
        }

        @Override
        public boolean isOpen() {
            return ch.isOpen();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }

        @Override
        public void shutdownOutput() throws IOException {
            ch.shutdownOutput();
        }
    }
}
