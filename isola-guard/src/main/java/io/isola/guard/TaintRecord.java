package io.isola.guard;

import io.isola.linux.FileFacts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Isola's own record of the files it judged untrusted, kept in {@code STATE/guard/}: by device, inode and birth time
 * ({@code untrusted.tsv}), and by size and SHA-256 of their content ({@code untrusted-content.tsv}). A mark is a
 * user xattr the owner can remove; the record is root's and outlives that, so a file whose marks disappear stays
 * untrusted, and so does a copy of it made without its marks (by an allowed program, or while no guard ran) or a
 * restore from a backup. Birth time (where the file system keeps one) keeps an inode number reused by a later file
 * from inheriting the verdict. The sizes are the cheap filter that lets the guard hash a file only when some recorded
 * file has exactly its size.
 */
final class TaintRecord {
    private final Path file;
    private final Path contentFile;
    private final Set<String> keys = ConcurrentHashMap.newKeySet();
    /** size:sha256 → the path the content was first seen at. */
    private final Map<String, String> contents = new ConcurrentHashMap<>();

    private final Set<Long> sizes = ConcurrentHashMap.newKeySet();

    TaintRecord(Path file) {
        this.file = file;
        this.contentFile = file.resolveSibling("untrusted-content.tsv");
        try {
            for (String line : lines(file)) {
                String[] f = line.split("\t");
                if (f.length >= 3) {
                    keys.add(f[0] + ":" + f[1] + ":" + f[2]);
                }
            }
            for (String line : lines(contentFile)) {
                String[] f = line.split("\t");
                if (f.length >= 4) {
                    try {
                        remember(Long.parseLong(f[0]), f[1], f[3]);
                    } catch (NumberFormatException damaged) {
                        // a torn line (the guard died while writing it): the others still count
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the guard's record " + file + ": check the state directory", e);
        }
    }

    private static java.util.List<String> lines(Path f) throws IOException {
        return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : java.util.List.of();
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

    /** Whether some recorded content has exactly this size: only then is a file worth hashing. */
    boolean hasContentOfSize(long size) {
        return sizes.contains(size);
    }

    /** Where content of this size and hash was first judged untrusted, or null when it never was. */
    String contentSeenAt(long size, String sha256) {
        return contents.get(size + ":" + sha256);
    }

    /**
     * Adds content judged untrusted and appends its line; called by the hasher thread, never by the thread that
     * answers the kernel. Content already recorded is not written again.
     */
    void addContent(long size, String sha256, String path) {
        if (!remember(size, sha256, path)) {
            return;
        }
        String line = size + "\t" + sha256 + "\t" + Instant.now() + "\t" + clean(path) + "\n";
        try {
            Files.writeString(
                    contentFile, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the in-memory record still holds it; the next guard hashes the file again when it judges it
        }
    }

    private boolean remember(long size, String sha256, String path) {
        boolean added = contents.putIfAbsent(size + ":" + sha256, path) == null;
        sizes.add(size); // after the content, so a size seen on the decision path has its hash already
        return added;
    }

    /** Appends one line; called by the reporter thread, never by the thread that answers the kernel. */
    void persist(FileFacts.Stat s, String path, String why) {
        String line = s.device() + "\t" + s.inode() + "\t" + s.birth() + "\t" + Instant.now() + "\t" + clean(path)
                + "\t" + clean(why) + "\n";
        try {
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the in-memory record still holds it; the next start of the guard judges the file by its marks again
        }
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ');
    }

    int size() {
        return keys.size();
    }
}
