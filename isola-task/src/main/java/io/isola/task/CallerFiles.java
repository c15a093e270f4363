package io.isola.task;

import io.isola.core.Host;
import io.isola.core.IsolaException;
import io.isola.core.output.FileCreator;
import io.isola.linux.ThreadCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Files read and made for the person who asked for a task, with their rights. Under sudo Isola is root, but the
 * task is the caller's: a cell must not become a way to read files they could not (a sudo rule for isola alone
 * would otherwise open every file), nor {@code isola open --view /etc/x} create files in /etc.
 */
public final class CallerFiles {
    /** The caller under sudo: their name, ids and groups. */
    private record Caller(String name, int uid, int gid, int[] groups) {
        /** The sudo caller, or null when Isola runs for root itself (nothing to step down to). */
        static Caller of(Map<String, String> env) {
            String user = env.get("SUDO_USER");
            int[] ids = Host.invokingIds(env);
            return user == null || ids[0] == 0 ? null : new Caller(user, ids[0], ids[1], Host.groupsOf(user, ids[1]));
        }

        /** Runs {@code work} with the caller's file-system ids; {@code denied} is the one-line error for EACCES. */
        <T> T run(Callable<T> work, String denied) throws IOException {
            try {
                return ThreadCredentials.asUser(uid, gid, groups, work);
            } catch (AccessDeniedException e) {
                throw new IsolaException(name + " may not " + denied, 2);
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    private CallerFiles() {}

    /** Opens {@code real} for reading as the caller; {@code shown} names it in the error. */
    public static InputStream open(Map<String, String> env, Path real, Path shown) throws IOException {
        Caller c = Caller.of(env);
        if (c == null) {
            return Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS);
        }
        return c.run(
                () -> Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS),
                "read " + shown + ": Isola opens only what you could open yourself");
    }

    /** Creates a new folder (never one that exists, nor through a link) as the caller, mode 0755. */
    public static void createFolder(Map<String, String> env, Path dir) throws IOException {
        java.nio.file.attribute.FileAttribute<?> mode = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Caller c = Caller.of(env);
        if (c == null) {
            Files.createDirectory(dir, mode);
            return;
        }
        c.run(() -> Files.createDirectory(dir, mode), "create a folder in " + dir.getParent());
    }

    /** Creates new files as the caller. */
    public static FileCreator creator(Map<String, String> env) {
        Caller c = Caller.of(env);
        if (c == null) {
            return FileCreator.ISOLA;
        }
        return target -> c.run(
                () -> FileCreator.ISOLA.createNew(target),
                "create files in " + target.getParent()
                        + ", so Isola will not either: copy the file somewhere you can write, and open it there");
    }
}
