package io.isola.sandbox;

import io.isola.core.IsolaException;
import io.isola.linux.Libc;
import io.isola.linux.Spawn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The user namespaces that idmap a cell's view: in the one for cell uid C, the caller's uid and gid map to C. A
 * --ro/--rw mount idmapped through it shows the caller's files to the cell as the cell's own, and writes what the
 * cell creates there to disk as the caller's. No process ever runs in one; they only describe a translation.
 *
 * <p>A multi-threaded JVM cannot unshare a user namespace itself, so a short-lived {@code unshare --user} helper
 * creates each; Isola writes its maps, keeps a descriptor and ends the helper. A cell uid's namespace is kept for
 * the next cell that gets the same uid, and all of them close with the engine. Use on the namespace thread only.
 */
final class IdmapNamespaces implements AutoCloseable {
    private final int callerUid;
    private final int callerGid;
    private final Map<Integer, Integer> byCellUid = new HashMap<>();

    IdmapNamespaces(int callerUid, int callerGid) {
        this.callerUid = callerUid;
        this.callerGid = callerGid;
    }

    /** The descriptor of the namespace that maps the caller to {@code cellUid} (uid and gid). */
    int forCell(int cellUid) {
        Integer fd = byCellUid.get(cellUid);
        if (fd == null) {
            fd = create(cellUid);
            byCellUid.put(cellUid, fd);
        }
        return fd;
    }

    private int create(int cellUid) {
        int pid = Spawn.of(List.of("/usr/bin/unshare", "--user", "--", "/bin/sleep", "60"))
                .fd(0, devNull()).fd(1, devNull()).fd(2, devNull()).start();
        Path proc = Path.of("/proc", Integer.toString(pid));
        try {
            String ours = Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (Files.readSymbolicLink(proc.resolve("ns/user")).toString().equals(ours)) {
                if (System.nanoTime() > deadline) {
                    throw new IsolaException("could not create a cell's idmapping namespace: is util-linux installed?");
                }
                Thread.sleep(0, 100_000);
            }
            String cell = Integer.toUnsignedString(cellUid);
            Files.writeString(proc.resolve("uid_map"), Integer.toUnsignedString(callerUid) + " " + cell + " 1\n");
            Files.writeString(proc.resolve("setgroups"), "deny\n");
            Files.writeString(proc.resolve("gid_map"), Integer.toUnsignedString(callerGid) + " " + cell + " 1\n");
            return Libc.openReadOnly(proc.resolve("ns/user").toString());
        } catch (IOException e) {
            throw new IsolaException("could not create a cell's idmapping namespace: " + e.getMessage()
                    + " (the kernel must allow user namespaces: sysctl user.max_user_namespaces)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IsolaException("interrupted while creating a cell's idmapping namespace");
        } finally {
            Libc.kill(pid, Libc.SIGKILL);
            Libc.waitpid(pid, 0);
        }
    }

    private static int devNull;

    private static synchronized int devNull() {
        if (devNull == 0) {
            devNull = Libc.openReadOnly("/dev/null");
        }
        return devNull;
    }

    @Override
    public void close() {
        byCellUid.values().forEach(Libc::close);
        byCellUid.clear();
    }
}
