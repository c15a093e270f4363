package io.isola.sandbox;

import io.isola.core.IsolaException;
import io.isola.core.Trace;
import io.isola.linux.Libc;
import io.isola.linux.Spawn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The user namespaces that idmap a cell's view: the one for cell uid C swaps the caller's uid and gid with C and
 * maps every other id to itself. A --ro/--rw mount idmapped through it shows the caller's files to the cell as the
 * cell's own and writes what the cell creates there to disk as the caller's; everyone else's files stay theirs
 * (the kernel refuses any write to a file whose owner an idmapping leaves out, even a world-writable folder's).
 * No process ever runs in one; they only describe a translation, and the cell's own namespace maps nothing but C,
 * so the identities give a cell no one else's rights.
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
            Trace.mark("idmap namespace made");
        }
        return fd;
    }

    private int create(int cellUid) {
        int pid = Spawn.of(List.of("/usr/bin/unshare", "--user", "--", "/bin/sleep", "60"))
                .fd(0, devNull())
                .fd(1, devNull())
                .fd(2, devNull())
                .start();
        Path proc = Path.of("/proc", Integer.toString(pid));
        try {
            Trace.mark("idmap helper spawned");
            String ours = Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (Files.readSymbolicLink(proc.resolve("ns/user")).toString().equals(ours)) {
                if (System.nanoTime() > deadline) {
                    throw new IsolaException("could not create a cell's idmapping namespace: is util-linux installed?");
                }
                Thread.sleep(0, 100_000);
            }
            Files.writeString(proc.resolve("uid_map"), swap(callerUid, cellUid));
            Files.writeString(proc.resolve("setgroups"), "deny\n");
            Files.writeString(proc.resolve("gid_map"), swap(callerGid, cellUid));
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

    /**
     * An id map that swaps {@code x} and {@code y} and maps every other id to itself: five ranges at most, in the
     * format of /proc/PID/uid_map ("inside outside count" per line). The ids are unsigned; 2^32 − 1 is never an id.
     */
    static String swap(int x, int y) {
        long a = Math.min(Integer.toUnsignedLong(x), Integer.toUnsignedLong(y));
        long b = Math.max(Integer.toUnsignedLong(x), Integer.toUnsignedLong(y));
        StringBuilder map = new StringBuilder();
        if (a == b) {
            range(map, 0, 0, 0xFFFF_FFFFL);
            return map.toString();
        }
        range(map, 0, 0, a);
        range(map, a, b, 1);
        range(map, a + 1, a + 1, b - a - 1);
        range(map, b, a, 1);
        range(map, b + 1, b + 1, 0xFFFF_FFFFL - b - 1);
        return map.toString();
    }

    private static void range(StringBuilder map, long inside, long outside, long count) {
        if (count > 0) {
            map.append(inside)
                    .append(' ')
                    .append(outside)
                    .append(' ')
                    .append(count)
                    .append('\n');
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
