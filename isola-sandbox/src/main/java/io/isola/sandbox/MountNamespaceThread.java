package io.isola.sandbox;

import io.isola.core.IsolaException;
import io.isola.core.Trace;
import io.isola.linux.Libc;
import io.isola.linux.LinuxException;
import io.isola.linux.ThreadCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One platform thread that owns Isola's mount namespaces. unshare(CLONE_NEWNS) and setns() act on the calling
 * thread only (once its fs_struct is unshared), so this thread can hop between namespaces while the rest of the JVM
 * stays in the host's.
 * <ul>
 *   <li>The <em>base</em> namespace is a private copy of the host's plus a tmpfs for Isola's run files (the /etc
 *       mask, the seccomp program). Nothing of it is visible on the host.</li>
 *   <li>Each cell gets a namespace of its own, copied from the base, where its root file system is mounted and from
 *       which its bwrap is spawned. bwrap copies the namespace it starts in, so a small one keeps every start
 *       cheap however many cells run; and when the cell's bwrap exits and Isola drops its descriptor, the kernel
 *       unmounts everything in it.</li>
 * </ul>
 * When Isola dies, even by SIGKILL, the kernel drops all of these namespaces with every mount in them, and bwrap's
 * --die-with-parent (PR_SET_PDEATHSIG, which follows the spawning <em>thread</em>) takes the cells down, because
 * this thread lives as long as the engine.
 */
final class MountNamespaceThread implements AutoCloseable {
    private final ExecutorService thread;
    /** /proc/PID/task/TID of the thread, for looking into its namespace (tests, diagnostics). */
    private final Future<Path> procTask;
    /** Set up in the background: the constructor returns at once and later work queues behind the set-up. */
    private final Future<Integer> baseNs;

    private final boolean ownsBase;
    /**
     * This thread's own host ids between spawns: the caller's, or, when the caller is root, ids that own nothing.
     * A thread that leaves uid 0 for a cell's uid loses its capabilities for good; one that is not root between
     * spawns keeps them across every switch.
     */
    private final int callerUid, callerGid;

    /**
     * The spawning thread. Once its namespace is set up it takes the caller's host user (never root, see
     * {@link #callerUid}) as its own credentials,
     * keeping its capabilities, and for each bwrap it starts it becomes that cell's host user (see {@link #asUser}):
     * every bwrap then runs as its cell's user, unprivileged, with no extra exec. That matters beyond least
     * privilege: the kernel sends bwrap's parent-death SIGKILL only to processes the dying bwrap may signal, so a
     * root bwrap could not take down a cell (another uid) when Isola is killed.
     */
    MountNamespaceThread(Path runDir, int callerUid, int callerGid) {
        this.thread = newThread("isola-mountns");
        this.ownsBase = true;
        this.callerUid = callerUid == 0 ? SandboxOptions.NOBODY_RANGE_UID : callerUid;
        this.callerGid = callerGid == 0 ? SandboxOptions.NOBODY_RANGE_UID : callerGid;
        this.procTask = submit(MountNamespaceThread::thisTask);
        this.baseNs = submit(() -> {
            Libc.unshare(Libc.CLONE_NEWNS);
            Libc.mount(null, "/", null, Libc.MS_REC | Libc.MS_PRIVATE, null);
            Files.createDirectories(runDir);
            ensureTraversable(runDir);
            Libc.mount("isola-run", runDir.toString(), "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV, "mode=0711,size=64m");
            int fd = Libc.openReadOnly("/proc/thread-self/ns/mnt");
            ThreadCredentials.becomeKeepingCapabilities(this.callerUid, this.callerGid);
            Trace.mark("base namespace ready");
            return fd;
        });
    }

    private static Path thisTask() throws java.io.IOException {
        return Path.of("/proc").resolve(Files.readSymbolicLink(Path.of("/proc/thread-self")));
    }

    /** A second thread that works in the same base namespace as {@code other}, so the two never wait for each other. */
    MountNamespaceThread(MountNamespaceThread other, String name) {
        this.thread = newThread(name);
        this.ownsBase = false;
        this.callerUid = other.callerUid;
        this.callerGid = other.callerGid;
        this.baseNs = other.baseNs;
        this.procTask = submit(() -> {
            // setns into a mount namespace needs a thread of its own fs_struct.
            Libc.unshare(Libc.CLONE_FS);
            Libc.setns(base(), Libc.CLONE_NEWNS);
            return thisTask();
        });
    }

    private static ExecutorService newThread(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code setup} in a new mount namespace copied from the base one and returns a descriptor that keeps the
     * namespace alive. Call on this thread.
     */
    int newNamespace(Callable<Void> setup) throws Exception {
        Libc.unshare(Libc.CLONE_NEWNS);
        int fd = -1;
        try {
            fd = Libc.openReadOnly("/proc/thread-self/ns/mnt");
            setup.call();
            return fd;
        } catch (Exception | Error e) {
            Libc.close(fd);
            throw e;
        } finally {
            Libc.setns(base(), Libc.CLONE_NEWNS);
        }
    }

    /**
     * Makes this thread host user {@code uid}/{@code gid}, file-system ids included, so that what it starts next
     * is that user and stays dumpable (see {@link ThreadCredentials#switchKeepingCapabilities});
     * {@link #becomeCaller} undoes it. In between the thread's file accesses are the user's. Call on the spawning
     * thread only: cheap enough (a few system calls) for every start.
     */
    void becomeUser(int uid, int gid) {
        if (!ownsBase) {
            throw new IllegalStateException("only the spawning thread changes users");
        }
        ThreadCredentials.switchKeepingCapabilities(uid, gid, false);
    }

    /** The caller again, with root's file-system ids, as between spawns. */
    void becomeCaller() {
        ThreadCredentials.switchKeepingCapabilities(callerUid, callerGid, true);
    }

    /** The descriptor of the base namespace (waits for the set-up). */
    private int base() {
        return await(baseNs);
    }

    /** Runs {@code work} inside the namespace open at {@code nsFd}. Call on this thread. */
    <T> T inNamespace(int nsFd, Callable<T> work) throws Exception {
        Libc.setns(nsFd, Libc.CLONE_NEWNS);
        try {
            return work.call();
        } finally {
            Libc.setns(base(), Libc.CLONE_NEWNS);
        }
    }

    /**
     * bwrap binds each cell's root after it has switched to the cell's user, so every directory above the cells'
     * mounts needs the search bit for "other". Isola's own state directory gets it; anything above is the admin's.
     */
    private static void ensureTraversable(Path runDir) throws java.io.IOException {
        Path state = runDir.getParent();
        for (Path p = runDir; p != null; p = p.getParent()) {
            var perms = Files.getPosixFilePermissions(p);
            if (perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                continue;
            }
            if (p.startsWith(state)) {
                perms.add(PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(p, perms);
            } else {
                throw new IsolaException("cells cannot reach the state directory through " + p + ": chmod o+x " + p
                        + " or choose another state directory with ISOLA_STATE_DIR");
            }
        }
    }

    Path procTask() {
        return await(procTask);
    }

    /** Queues background work on the namespace thread. */
    void submit(Runnable work) {
        thread.execute(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                // A failed refill only means the next cell is prepared on demand, where the error is reported.
            }
        });
    }

    /** Queues {@code work} on the namespace thread; {@link #await} collects its result. */
    <T> Future<T> submit(Callable<T> work) {
        return thread.submit(work);
    }

    /** Runs {@code work} on the namespace thread and returns its result, rethrowing its failure. */
    <T> T call(Callable<T> work) {
        return await(thread.submit(work));
    }

    <T> T await(Future<T> f) {
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

    /**
     * Waits for the base namespace and rethrows why it could not be made. An engine must not outlive a failed base:
     * its threads would then prepare cells in namespaces they cannot leave (every {@code setns} back to the base
     * fails), and every later cell would fail with a misleading error.
     */
    void requireReady() {
        base();
        procTask();
    }

    @Override
    public void close() {
        try {
            if (ownsBase && baseNs.state() == Future.State.SUCCESS) {
                call(() -> {
                    Libc.close(base());
                    return null;
                });
            }
        } finally {
            thread.shutdown();
        }
    }
}
