package io.isola.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing a directory Isola made, with everything in it. */
public final class FileTrees {
    private FileTrees() {}

    /**
     * Deletes {@code root} and everything below it, deepest first; nothing when it does not exist. Symbolic links are
     * removed, never followed: a link a task planted cannot make Isola delete what it points to.
     */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
