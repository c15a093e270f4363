package io.isola.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A golden image: read-only layers, each becoming an overlay with a private upper directory in the cell, plus
 * symlinks. The {@code host} image is the host's own OS; a directory image is a root filesystem on disk.
 */
record Image(String name, List<Layer> layers, List<Symlink> symlinks) {
    /**
     * @param cellPath where the layer appears in the cell ("/" for a whole root)
     * @param lowerDirs overlay lower directories, topmost first
     */
    record Layer(String cellPath, List<Path> lowerDirs) {}

    record Symlink(String target, String cellPath) {}

    /** The host path that backs {@code cellPath}, when the image provides it. */
    Optional<Path> hostPath(String cellPath) {
        for (Symlink s : symlinks) {
            if (cellPath.equals(s.cellPath()) || cellPath.startsWith(s.cellPath() + "/")) {
                String rest = cellPath.substring(s.cellPath().length());
                String target = s.target().startsWith("/") ? s.target() : "/" + s.target();
                return hostPath(target + rest);
            }
        }
        Layer best = null;
        for (Layer l : layers) {
            String p = l.cellPath();
            boolean under = p.equals("/") || cellPath.equals(p) || cellPath.startsWith(p + "/");
            if (under && (best == null || p.length() > best.cellPath().length())) {
                best = l;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        String rest = best.cellPath().equals("/")
                ? cellPath.substring(1)
                : cellPath.substring(best.cellPath().length());
        rest = rest.startsWith("/") ? rest.substring(1) : rest;
        for (Path lower : best.lowerDirs()) {
            Path candidate = rest.isEmpty() ? lower : lower.resolve(rest);
            if (Files.exists(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
