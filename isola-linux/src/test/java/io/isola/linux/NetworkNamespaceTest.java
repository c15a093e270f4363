package io.isola.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kernel")
class NetworkNamespaceTest {
    @Test
    void aThreadGetsANamespaceOfItsOwnWithLoopbackUpAndReturns() throws Exception {
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        AtomicReference<String> inside = new AtomicReference<>(),
                back = new AtomicReference<>(),
                inet6 = new AtomicReference<>(),
                routes = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                int hostFd = NetworkNamespace.openCurrent();
                NetworkNamespace.unshareWithLoopback();
                inside.set(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"))
                        .toString());
                inet6.set(Files.readString(Path.of("/proc/thread-self/net/if_inet6")));
                routes.set(Files.readString(Path.of("/proc/thread-self/net/route")));
                // A socket made here stays here: a connection on the namespace's own loopback works.
                try (ServerSocketChannel l = ServerSocketChannel.open()) {
                    l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    try (SocketChannel c = SocketChannel.open(l.getLocalAddress());
                            SocketChannel a = l.accept()) {
                        assertThat(a).isNotNull();
                    }
                }
                NetworkNamespace.enter(hostFd);
                Libc.close(hostFd);
                back.set(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"))
                        .toString());
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        t.join();
        assertThat(failed.get()).isNull();
        assertThat(inside.get()).startsWith("net:[").isNotEqualTo(host);
        assertThat(back.get()).isEqualTo(host);
        assertThat(inet6.get()).contains("00000000000000000000000000000001").contains(" lo\n");
        assertThat(routes.get().lines().skip(1))
                .as("IPv4 routes besides loopback's own table")
                .isEmpty();
        // The rest of the process never left the host's namespace.
        assertThat(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString())
                .isEqualTo(host);
    }
}
