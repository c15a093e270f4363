package io.isola.sandbox;

import io.isola.linux.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A cell's private copy-on-write layer: one size-limited tmpfs that holds the overlay upper directories of every
 * image layer and the cell's writable places (/tmp, /var/tmp, the home directory). The tmpfs size is the cell's
 * disk quota, whatever it writes to. Lives only in the engine's private mount namespace; call on its thread.
 */
final class CellRootfs {
    /** Writable places of a cell, as (cell path, directory in the tmpfs). */
    static final Map<String, String> WRITABLE = Map.of("/tmp", "tmp", "/var/tmp", "vartmp", "/home/user", "home");

    private final Path dir;
    /** cell path of each image layer -> its merged overlay directory */
    private final Map<String, Path> merged = new LinkedHashMap<>();

    private CellRootfs(Path dir) {
        this.dir = dir;
    }

    static CellRootfs mount(Path cellsDir, String cellId, Image image, long diskBytes, int uid, int gid) {
        CellRootfs fs = new CellRootfs(cellsDir.resolve(cellId));
        try {
            Files.createDirectories(fs.dir);
            Libc.mount("isola-" + cellId, fs.dir.toString(), "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV,
                    "mode=0755,size=" + diskBytes);
            try {
                fs.populate(image, uid, gid);
            } catch (RuntimeException | IOException e) {
                fs.unmount();
                throw e;
            }
            return fs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void populate(Image image, int uid, int gid) throws IOException {
        int i = 0;
        for (Image.Layer layer : image.layers()) {
            Path upper = Files.createDirectories(dir.resolve("upper/" + i));
            Path work = Files.createDirectories(dir.resolve("work/" + i));
            Path target = Files.createDirectories(dir.resolve("merged/" + i));
            String lowers = layer.lowerDirs().stream().map(Path::toString).collect(Collectors.joining(":"));
            Libc.mount("overlay", target.toString(), "overlay", Libc.MS_NOSUID | Libc.MS_NODEV,
                    "lowerdir=" + lowers + ",upperdir=" + upper + ",workdir=" + work);
            merged.put(layer.cellPath(), target);
            i++;
        }
        for (String w : WRITABLE.values()) {
            Path p = Files.createDirectory(dir.resolve(w));
            Libc.chown(p.toString(), uid, gid);
            Libc.chmod(p.toString(), w.equals("home") ? 0700 : 01777);
        }
    }

    Map<String, Path> layers() {
        return merged;
    }

    Path writable(String name) {
        return dir.resolve(name);
    }

    /** Detaches the tmpfs and every overlay under it, then removes the mount point. */
    void unmount() {
        try {
            Libc.umount2(dir.toString(), Libc.MNT_DETACH);
        } finally {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
