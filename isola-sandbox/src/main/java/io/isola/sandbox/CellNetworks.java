package io.isola.sandbox;

import io.isola.core.Egress;
import io.isola.core.IsolaException;
import io.isola.linux.Libc;
import io.isola.linux.NetworkNamespace;
import java.util.concurrent.Callable;

/**
 * The network namespaces of cells that reach out. Isola makes such a cell's namespace itself, not bwrap: it brings
 * loopback up and binds the cell's proxy address ({@link CellProxy}) there, then spawns bwrap from inside it without
 * --unshare-net, so the task finds the proxy listening from its first instruction. The namespace belongs to the
 * host's user namespace, not the cell's: a task holds no capability over it, so it cannot take loopback down, add
 * an address or route, or open a raw socket there. Only loopback exists in it, as in every cell; the host's routes
 * and firewall are untouched.
 *
 * <p>The work runs on a platform thread (the engine's namespace thread), which steps into the new namespace and back
 * to the host's through a descriptor of the host's namespace that this object holds.
 */
final class CellNetworks implements AutoCloseable {
    /** The host's namespace, opened by the first {@link #open} (before it leaves it); -1 until then. */
    private int host = -1;

    /**
     * A cell's network made and its proxy listening. {@code namespace} is held only until bwrap runs in it; from
     * then on bwrap's processes and the listeners keep it, and it goes when both are gone.
     */
    final class Opened {
        private int namespace;
        final CellProxy proxy;

        private Opened(int namespace, CellProxy proxy) {
            this.namespace = namespace;
            this.proxy = proxy;
        }

        /** Runs {@code work} (the spawn of bwrap) on the calling thread inside the cell's namespace. */
        <T> T inside(Callable<T> work) throws Exception {
            NetworkNamespace.enter(namespace);
            try {
                return work.call();
            } finally {
                backToHost();
            }
        }

        /** Drops the descriptor of the namespace; call once bwrap runs in it (or will not). */
        void release() {
            Libc.close(namespace);
            namespace = -1;
        }
    }

    /** Makes a network namespace for cell {@code cellId} and listens there. Call on the namespace thread. */
    Opened open(String cellId, Egress egress) {
        if (host < 0) {
            host = NetworkNamespace.openCurrent();
        }
        NetworkNamespace.unshareWithLoopback();
        int fd = -1;
        try {
            fd = NetworkNamespace.openCurrent();
            return new Opened(fd, CellProxy.listen(cellId, egress));
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        } finally {
            backToHost();
        }
    }

    private void backToHost() {
        try {
            NetworkNamespace.enter(host);
        } catch (RuntimeException e) {
            // Never go on in a cell's namespace: every later cell would be spawned there.
            throw new IsolaException("cannot return to the host's network namespace: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        Libc.close(host);
        host = -1;
    }
}
