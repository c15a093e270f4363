package io.isola.task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real read-only file system (a tmpfs remounted read-only, as a CD, a write-protected stick or a read-only share
 * is) holding the files given, for as long as the test needs it. Root only, like every kernel-tagged test.
 */
final class ReadOnlyFolder implements AutoCloseable {
    final Path dir;

    ReadOnlyFolder(Path dir, Map<String, String> files) throws IOException {
        this.dir = Files.createDirectories(dir);
        run("mount", "-t", "tmpfs", "-o", "size=4m,mode=755", "isola-test-ro", dir.toString());
        for (var f : files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
        run("mount", "-o", "remount,ro", dir.toString());
    }

    private static void run(String... argv) throws IOException {
        try {
            Process p =
                    new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", argv) + ": " + out);
            }
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        run("umount", dir.toString());
        Files.deleteIfExists(dir); // the empty mount point
    }
}
