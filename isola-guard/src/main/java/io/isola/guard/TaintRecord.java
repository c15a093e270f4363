package io.isola.guard;

import io.isola.linux.FileFacts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Isola's own record of the files it judged untrusted, by device, inode and birth time, kept in
 * {@code STATE/guard/untrusted.tsv}. A mark is a user xattr the owner can remove; the record is root's and outlives
 * that, so a file whose marks disappear stays untrusted. Birth time (where the file system keeps one) keeps an inode
 * number reused by a later file from inheriting the verdict.
 */
final class TaintRecord {
    private final Path file;
    private final Set<String> keys = ConcurrentHashMap.newKeySet();

    TaintRecord(Path file) {
        this.file = file;
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] f = line.split("\t");
                    if (f.length >= 3) {
                        keys.add(f[0] + ":" + f[1] + ":" + f[2]);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the guard's record " + file + ": check the state directory", e);
        }
    }

    static String key(FileFacts.Stat s) {
        return s.device() + ":" + s.inode() + ":" + s.birth();
    }

    boolean contains(FileFacts.Stat s) {
        return keys.contains(key(s));
    }

    /** Adds a file; true when it was new (then {@link #persist} it, off the decision path). */
    boolean add(FileFacts.Stat s) {
        return keys.add(key(s));
    }

    /** Appends one line; called by the reporter thread, never by the thread that answers the kernel. */
    void persist(FileFacts.Stat s, String path, String why) {
        String line = s.device() + "\t" + s.inode() + "\t" + s.birth() + "\t" + Instant.now() + "\t"
                + path.replace('\t', ' ').replace('\n', ' ') + "\t" + why.replace('\t', ' ').replace('\n', ' ') + "\n";
        try {
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the in-memory record still holds it; the next start of the guard judges the file by its marks again
        }
    }

    int size() {
        return keys.size();
    }
}
