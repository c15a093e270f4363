package io.isola.sandbox;

import io.isola.core.IsolaException;
import io.isola.linux.Libc;
import io.isola.linux.Spawn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The user namespace every cell runs in: uid/gid {@value #CELL_ID} inside is {@code hostUid}/{@code hostGid}
 * outside, and nothing else is mapped. Host root's files therefore belong to "nobody" inside a cell and a cell
 * holds no capability on the host, even though Isola itself runs as root. The namespace belongs to that host user,
 * which is also the user bwrap runs as.
 *
 * <p>A multi-threaded JVM cannot unshare a user namespace itself, so a short-lived {@code unshare --user} helper
 * creates it; Isola writes the maps, keeps a descriptor of the namespace and ends the helper. The namespace lives
 * exactly as long as that descriptor, that is, as long as Isola.
 */
final class CellUserNamespace implements AutoCloseable {
    static final int CELL_ID = 1000;

    private final int fd;

    private CellUserNamespace(int fd) {
        this.fd = fd;
    }

    /**
     * Starts the helper; {@link Pending#finish} completes the namespace. In between, the caller can do other work
     * while the helper starts up. Must run on the mount namespace thread, like every spawn.
     */
    static Pending begin(int hostUid, int hostGid) {
        // Spawned by the namespace thread, which runs as the cell's host user: that user owns the namespace, so
        // bwrap, running as that user too, may enter it.
        int pid = Spawn.of(List.of("/usr/bin/unshare", "--user", "--", "/bin/sleep", "60"))
                .fd(0, devNull()).fd(1, devNull()).fd(2, devNull()).start();
        return new Pending(pid, hostUid, hostGid);
    }

    record Pending(int pid, int hostUid, int hostGid) {
        CellUserNamespace finish() {
            Path proc = Path.of("/proc", Integer.toString(pid));
            try {
                String ours = Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString();
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (Files.readSymbolicLink(proc.resolve("ns/user")).toString().equals(ours)) {
                    if (System.nanoTime() > deadline) {
                        throw new IsolaException("could not create the cells' user namespace: is util-linux installed?");
                    }
                    Thread.sleep(0, 100_000);
                }
                Files.writeString(proc.resolve("uid_map"), CELL_ID + " " + hostUid + " 1\n");
                Files.writeString(proc.resolve("setgroups"), "deny\n");
                Files.writeString(proc.resolve("gid_map"), CELL_ID + " " + hostGid + " 1\n");
                int fd = Libc.openReadOnly(proc.resolve("ns/user").toString());
                return new CellUserNamespace(fd);
            } catch (IOException e) {
                throw new IsolaException("could not create the cells' user namespace: " + e.getMessage()
                        + " (the kernel must allow user namespaces: sysctl user.max_user_namespaces)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IsolaException("interrupted while creating the cells' user namespace");
            } finally {
                Libc.kill(pid, Libc.SIGKILL);
                Libc.waitpid(pid, 0);
            }
        }
    }

    private static int devNull;

    private static synchronized int devNull() {
        if (devNull == 0) {
            devNull = Libc.openReadOnly("/dev/null");
        }
        return devNull;
    }

    int fd() {
        return fd;
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
