package io.isola.sandbox;

import io.isola.core.IsolaException;
import io.isola.linux.Libc;
import io.isola.linux.LinuxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One platform thread that lives in a private mount namespace of its own (unshare(CLONE_NEWNS) applies to the
 * calling thread only). Every overlay and tmpfs of every cell is mounted here and every bwrap is spawned from here,
 * so that:
 * <ul>
 *   <li>no cell mount is ever visible on the host, and when Isola dies, even by SIGKILL, the kernel drops the whole
 *       namespace with every mount in it: nothing is left to clean;</li>
 *   <li>bwrap's --die-with-parent (PR_SET_PDEATHSIG, which follows the spawning <em>thread</em>) fires exactly when
 *       Isola goes away, because this thread lives as long as the engine.</li>
 * </ul>
 */
final class MountNamespaceThread implements AutoCloseable {
    private final ExecutorService thread;
    /** /proc/PID/task/TID of the thread, for looking into its namespace (tests, diagnostics). */
    private final Path procTask;

    MountNamespaceThread(Path runDir) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "isola-mountns");
            t.setDaemon(true);
            return t;
        });
        this.procTask = call(() -> Path.of("/proc").resolve(Files.readSymbolicLink(Path.of("/proc/thread-self"))));
        call(() -> {
            Libc.unshare(Libc.CLONE_NEWNS);
            Libc.mount(null, "/", null, Libc.MS_REC | Libc.MS_PRIVATE, null);
            Files.createDirectories(runDir);
            ensureTraversable(runDir);
            Libc.mount("isola-run", runDir.toString(), "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV,
                    "mode=0711,size=64m");
            return null;
        });
    }

    /**
     * bwrap binds each cell's layers after it has switched to the cell's user, so every directory above the cells'
     * mounts needs the search bit for "other". Isola's own state directory gets it; anything above is the admin's.
     */
    private static void ensureTraversable(Path runDir) throws java.io.IOException {
        Path state = runDir.getParent();
        for (Path p = runDir; p != null; p = p.getParent()) {
            var perms = Files.getPosixFilePermissions(p);
            if (perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                continue;
            }
            if (p.startsWith(state)) {
                perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(p, perms);
            } else {
                throw new IsolaException("cells cannot reach the state directory through " + p
                        + ": chmod o+x " + p + " or choose another state directory with ISOLA_STATE_DIR");
            }
        }
    }

    Path procTask() {
        return procTask;
    }

    /** Runs {@code work} on the namespace thread and returns its result, rethrowing its failure. */
    <T> T call(Callable<T> work) {
        Future<T> f = thread.submit(work);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IsolaException("interrupted while preparing a cell");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IsolaException ie) {
                throw ie;
            }
            if (c instanceof LinuxException le) {
                throw new IsolaException("cannot prepare the cell: " + le.getMessage(), le);
            }
            throw new IsolaException("cannot prepare the cell: " + c, c);
        }
    }

    @Override
    public void close() {
        thread.shutdown();
    }
}
