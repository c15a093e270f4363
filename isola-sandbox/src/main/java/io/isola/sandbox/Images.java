package io.isola.sandbox;

import io.isola.core.IsolaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds a golden image by name. */
final class Images {
    static final String HOST = "host";
    /** Top-level directories of the host that the host image shares; /home, /root, /var, /run, /srv never. */
    private static final List<String> HOST_DIRS =
            List.of("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "opt");

    private Images() {}

    static Image resolve(String name, Path imagesDir, Path etcMask) {
        if (HOST.equals(name)) {
            return host(etcMask);
        }
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IsolaException("bad image name '" + name + "': use letters, digits, '.', '_' or '-'", 2);
        }
        Path dir = imagesDir.resolve(name);
        if (!Files.isDirectory(dir.resolve("usr")) && !Files.isDirectory(dir.resolve("bin"))) {
            throw new IsolaException(
                    "no image '" + name + "': put a root filesystem in " + dir
                            + " (e.g. with debootstrap) or use --image host",
                    2);
        }
        return new Image(name, List.of(new Image.Layer("/", List.of(dir))), List.of());
    }

    private static Image host(Path etcMask) {
        List<Image.Layer> layers = new ArrayList<>();
        List<Image.Symlink> links = new ArrayList<>();
        for (String d : HOST_DIRS) {
            Path p = Path.of("/", d);
            if (Files.isSymbolicLink(p)) {
                try {
                    links.add(new Image.Symlink(Files.readSymbolicLink(p).toString(), "/" + d));
                } catch (java.io.IOException e) {
                    throw new IsolaException("cannot read the link " + p + ": " + e.getMessage());
                }
            } else if (Files.isDirectory(p) && !isEmpty(p)) {
                layers.add(new Image.Layer("/" + d, List.of(p)));
            }
        }
        layers.add(new Image.Layer("/etc", List.of(etcMask, Path.of("/etc"))));
        // The font cache belongs to the installed OS: without it every cell's first fontconfig user (poppler, the
        // safe view's renderers) rebuilds it, measured at +40-60 ms per pdftoppm run.
        Path fontCache = Path.of("/var/cache/fontconfig");
        if (Files.isDirectory(fontCache) && !isEmpty(fontCache)) {
            layers.add(new Image.Layer(fontCache.toString(), List.of(fontCache)));
        }
        return new Image(HOST, layers, links);
    }

    /** An empty host directory is not worth an overlay per cell (Debian's /opt usually is empty). */
    private static boolean isEmpty(Path dir) {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (java.io.IOException e) {
            return true;
        }
    }
}
