package io.isola.sandbox;

import io.isola.core.Egress;
import io.isola.linux.Libc;
import io.isola.linux.NetworkNamespace;
import java.util.concurrent.Callable;

/**
 * The network namespaces of cells. Isola makes each cell's namespace itself, not bwrap, ahead of the task when the
 * cell is prepared in the pool: a new namespace with loopback up and nothing else. At the start, bwrap is spawned
 * from inside it without --unshare-net; for a cell that reaches out, its proxy address ({@link CellProxy}) is bound
 * there first, so the task finds it listening from its first instruction. The namespace belongs to the host's user
 * namespace, not the cell's: a task holds no capability over it, so it cannot take loopback down, add an address or
 * a route, or open a raw socket there. The host's routes and firewall are untouched.
 *
 * <p>All of this runs on platform threads of the engine (the preparer, the namespace thread), which step into a
 * cell's namespace and back to the host's through a descriptor of the host's namespace that this object holds. They
 * start no thread meanwhile: a new thread inherits its creator's network namespace.
 */
final class CellNetworks implements AutoCloseable {
    private final int host;

    /** Call on a thread in the host's network namespace. */
    CellNetworks() {
        this.host = NetworkNamespace.openCurrent();
    }

    /**
     * A descriptor of one cell's namespace. Isola holds it only until bwrap runs in it; from then on bwrap's processes
     * (and a proxy's listeners) keep the namespace, and it goes when they are gone.
     */
    static final class Namespace implements AutoCloseable {
        private int fd;

        private Namespace(int fd) {
            this.fd = fd;
        }

        @Override
        public synchronized void close() {
            Libc.close(fd);
            fd = -1;
        }

        private synchronized int fd() {
            if (fd < 0) {
                throw new IllegalStateException("the cell's network namespace was dropped already");
            }
            return fd;
        }
    }

    /** Makes a cell's network namespace: loopback only, up. Call on a platform thread of the engine. */
    Namespace make() {
        NetworkNamespace.unshareWithLoopback();
        int fd = -1;
        try {
            fd = NetworkNamespace.openCurrent();
            return new Namespace(fd);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        } finally {
            backToHost();
        }
    }

    /**
     * Runs {@code spawn} on the calling thread (the namespace thread) inside {@code ns}, after binding the proxy
     * address there when {@code egress} is given; {@code proxy} receives the proxy even when the spawn fails, for the
     * caller to close.
     */
    <T> T spawnInside(Namespace ns, String cellId, Egress egress, CellProxy[] proxy, Callable<T> spawn)
            throws Exception {
        NetworkNamespace.enter(ns.fd());
        try {
            if (egress != null) {
                proxy[0] = CellProxy.listen(cellId, egress);
            }
            return spawn.call();
        } finally {
            backToHost();
        }
    }

    private void backToHost() {
        try {
            NetworkNamespace.enter(host);
        } catch (RuntimeException e) {
            // Never go on in a cell's namespace: every later cell would be spawned there. Unreachable with the
            // capabilities these threads keep; if it ever happens, stop rather than mix cells.
            throw new IllegalStateException("cannot return to the host's network namespace", e);
        }
    }

    @Override
    public void close() {
        Libc.close(host);
    }
}
