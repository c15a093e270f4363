package io.isola.task;

import io.isola.core.FileTrees;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Each task's working directory under Isola's state (input snapshot, staged outputs), named after the Isola
 * process that owns it. It is removed when the task ends; if Isola was killed first, the next Isola finds the owner
 * gone and removes it.
 */
public final class TaskDirs {
    private final Path root;

    public TaskDirs(Path root) {
        this.root = root;
    }

    public Path create(String taskId) throws IOException {
        Files.createDirectories(
                root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ProcessHandle me = ProcessHandle.current();
        return Files.createDirectory(root.resolve(taskId + "-" + me.pid() + "-" + startMillis(me)));
    }

    /** Removes the directories of tasks whose Isola process is gone; returns how many. */
    public int sweep() {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path d : ds) {
                String[] f = d.getFileName().toString().split("-");
                if (f.length == 3 && !alive(f[1], f[2])) {
                    delete(d);
                    n++;
                }
            }
        } catch (IOException e) {
            // best effort: the next start tries again
        }
        return n;
    }

    private static boolean alive(String pid, String start) {
        try {
            Optional<ProcessHandle> h = ProcessHandle.of(Long.parseLong(pid));
            return h.isPresent() && String.valueOf(startMillis(h.get())).equals(start);
        } catch (NumberFormatException e) {
            return true; // not ours: leave it
        }
    }

    private static long startMillis(ProcessHandle h) {
        return h.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    public static void delete(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
