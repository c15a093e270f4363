package io.isola.core.audit;

import io.isola.core.Host;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The audit log's file on disk: private to those who may read system logs, and rotated by size.
 *
 * <p>The log holds the paths and commands of every task, so it is readable by root and the {@code adm} group only
 * (0640 root:adm, as system logs are) when root keeps it, and by its owner only (0600) in a user's own state
 * directory. A log an older Isola left more open is narrowed when opened.
 *
 * <p>Every append happens under an exclusive lock on {@code audit.jsonl.lock}, taken by all Isola processes sharing
 * the log: holding it, a writer checks that its descriptor is still the file named {@code audit.jsonl} (another
 * process may have rotated it), rotates when the line would take the file past the cap, and writes the line in one
 * {@code write(2)}. So no line is written to a file already rotated away, and none is split or lost. The lock is
 * an fcntl lock (FileChannel.lock), which the kernel releases when a process dies; inside one JVM, whose fcntl locks
 * are shared, a lock per path orders the writers instead.
 */
final class AuditFile implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final Set<PosixFilePermission> ROOT_MODE = PosixFilePermissions.fromString("rw-r-----");
    private static final Set<PosixFilePermission> OWNER_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final Path lockFile;
    private final AuditRotation rotation;
    private final ReentrantLock jvmLock;
    private final GroupPrincipal readers; // adm, when root keeps the log and the group exists
    private final Set<PosixFilePermission> mode;
    private FileChannel out;
    private FileChannel lockChannel; // audit.jsonl.lock, guarded by jvmLock
    private Object outKey; // the (device, inode) that out writes to

    AuditFile(Path file, AuditRotation rotation) throws IOException {
        this.file = file.toAbsolutePath().normalize();
        this.lockFile = Path.of(this.file + ".lock");
        this.rotation = rotation;
        ReentrantLock fresh = new ReentrantLock(), earlier = JVM_LOCKS.putIfAbsent(this.file, fresh);
        this.jvmLock = earlier != null ? earlier : fresh;
        boolean root = Host.isRoot();
        this.readers = root ? group("adm") : null;
        this.mode = readers != null ? ROOT_MODE : OWNER_MODE;
        Files.createDirectories(this.file.getParent());
        try (Held held = lock()) {
            reopen();
        }
    }

    /** Appends {@code line} (a whole line, newline included) in one write, rotating first when it is due. */
    void append(byte[] line) throws IOException {
        try (Held held = lock()) {
            Object current = keyOf(file);
            if (current == null || !current.equals(outKey) || !out.isOpen()) {
                reopen(); // rotated (or removed) by another writer since this one last wrote, or closed by an interrupt
            }
            long size = out.size();
            if (size > 0 && size + line.length > rotation.maxBytes()) {
                rotate();
                reopen();
            }
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                out.write(b);
            }
        }
    }

    /**
     * Both locks, released by close(). The lock file stays open between appends (opening and closing it each time
     * cost two system calls of every event); an interrupt that closed it makes the next append open it again. No
     * lambdas here: their bootstrap costs a cold command line milliseconds.
     */
    private final class Held implements AutoCloseable {
        private final FileLock lock;

        Held() throws IOException {
            jvmLock.lock();
            try {
                if (lockChannel == null || !lockChannel.isOpen()) {
                    lockChannel = FileChannel.open(
                            lockFile,
                            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                            PosixFilePermissions.asFileAttribute(OWNER_MODE));
                }
                lock = lockChannel.lock();
            } catch (IOException | RuntimeException e) {
                jvmLock.unlock();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                if (lock.isValid()) {
                    lock.release();
                }
            } finally {
                jvmLock.unlock();
            }
        }
    }

    private Held lock() throws IOException {
        return new Held();
    }

    /** audit.jsonl.(keep-1) → .keep (dropped), …, audit.jsonl → .1; the next append creates a new file. */
    private void rotate() throws IOException {
        int keep = rotation.keep();
        Files.deleteIfExists(rotated(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(rotated(i), LinkOption.NOFOLLOW_LINKS)) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.move(file, rotated(1), StandardCopyOption.ATOMIC_MOVE);
    }

    private Path rotated(int n) {
        return Path.of(file + "." + n);
    }

    /** Opens the file now named audit.jsonl, creating it with its final owner group and mode. */
    private void reopen() throws IOException {
        if (out != null) {
            out.close();
        }
        // Created 0600 and only then given to adm and widened: no moment in which others could open it.
        out = FileChannel.open(
                file,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_MODE));
        outKey = keyOf(file);
        narrow(file, out.size() == 0);
    }

    /**
     * Gives the log to the readers' group and its mode: exactly the mode when {@code fresh}, else takes away every
     * permission beyond it (a log an older Isola left 0644 becomes 0640; one an admin made 0600 stays so).
     */
    private void narrow(Path f, boolean fresh) throws IOException {
        PosixFileAttributeView view =
                Files.getFileAttributeView(f, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes a = view.readAttributes();
        if (readers != null && a.group().getName().equals("root")) {
            view.setGroup(readers);
        }
        Set<PosixFilePermission> want = EnumSet.copyOf(mode);
        if (!fresh) {
            want.retainAll(a.permissions());
        }
        if (!want.equals(a.permissions())) {
            view.setPermissions(want);
        }
    }

    private static Object keyOf(Path f) throws IOException {
        try {
            return Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static GroupPrincipal group(String name) {
        try {
            return java.nio.file.FileSystems.getDefault()
                    .getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName(name);
        } catch (UserPrincipalNotFoundException e) {
            return null;
        } catch (IOException e) {
            return null; // no group database to ask: the log stays its owner's alone
        }
    }

    @Override
    public void close() throws IOException {
        jvmLock.lock();
        try {
            out.close();
            if (lockChannel != null) {
                lockChannel.close();
            }
        } finally {
            jvmLock.unlock();
        }
    }
}
