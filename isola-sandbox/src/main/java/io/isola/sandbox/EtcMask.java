package io.isola.sandbox;

import io.isola.core.CellEtc;
import io.isola.linux.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The layer that filters the host's /etc for the {@code host} image. It sits above /etc in the overlay and holds
 * overlayfs whiteouts for every secret (so the files do not even exist in a cell) and replacement account files
 * that name only the cell's user, so a cell learns no host user names.
 *
 * <p>What is hidden and what is replaced is {@link CellEtc}'s, shared with the vm engine's image. The mask is built
 * at engine start in the engine's private tmpfs, so it always matches the host's current /etc.
 */
final class EtcMask {
    private EtcMask() {}

    /** The hidden paths that exist in {@code etc}, relative to it: {@link CellEtc#hiddenPresent}. */
    static List<String> present(Path etc) {
        return CellEtc.hiddenPresent(etc);
    }

    /** Builds the mask under {@code dir}: a whiteout for each of {@code present} and the replacement files. */
    static void build(Path dir, List<String> present, int cellId) {
        try {
            Files.createDirectories(dir);
            for (String rel : present) {
                Path w = dir.resolve(rel);
                Files.createDirectories(w.getParent());
                Libc.mkWhiteout(w.toString());
            }
            for (Map.Entry<String, String> f :
                    CellEtc.replacements(OptionalInt.of(cellId)).entrySet()) {
                Files.writeString(dir.resolve(f.getKey()), f.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the /etc mask", e);
        }
    }
}
