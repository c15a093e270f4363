package io.isola.sandbox;

import io.isola.core.Egress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/** One connection a task opened to its cell's proxy address, as the egress gets it: the accepted socket, no more. */
final class ProxyConnection implements Egress.Connection {
    private final SocketChannel socket;
    private final Consumer<ProxyConnection> onClose;

    ProxyConnection(SocketChannel socket, Consumer<ProxyConnection> onClose) {
        this.socket = socket;
        this.onClose = onClose;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return socket.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return socket.write(src);
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() throws IOException {
        try {
            socket.close();
        } finally {
            onClose.accept(this);
        }
    }
}
