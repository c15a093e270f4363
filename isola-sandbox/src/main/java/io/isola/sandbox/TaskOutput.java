package io.isola.sandbox;

import io.isola.core.Harvest;
import io.isola.core.TaskFiles;
import io.isola.core.output.Harvester;
import io.isola.core.output.Harvester.EntryType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Walks what a finished task left in its cell's tmpfs and offers each entry to a {@link Harvester}. Runs inside the
 * cell's mount namespace after every process of the cell is gone, so nothing in the tmpfs can change under the
 * walk; links are never followed and only regular files are ever opened.
 */
final class TaskOutput {
    private TaskOutput() {}

    static Harvest collect(CellRootfs rootfs, TaskFiles files, Harvester harvester) throws IOException {
        if (files.outputDir() != null) {
            walk(rootfs.inRoot(files.outputDir()), "", harvester, Harvest.Kind.CREATED, null);
        }
        for (int i = 0; i < files.inputs().size(); i++) {
            // The overlay's upper layer holds exactly what the task created or changed among its inputs.
            walk(
                    rootfs.inputUpper(i),
                    "",
                    harvester,
                    Harvest.Kind.CHANGED_INPUT,
                    files.inputs().get(i).cellDir());
        }
        return harvester.finish();
    }

    private static void walk(Path dir, String prefix, Harvester h, Harvest.Kind kind, String inputDir)
            throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(entries::add);
        }
        entries.sort(null);
        for (Path p : entries) {
            String name = prefix + p.getFileName();
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,nlink,rdev,size", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            EntryType type = EntryType.ofMode(mode);
            if (kind == Harvest.Kind.CHANGED_INPUT && type == EntryType.DEVICE && (Long) a.get("rdev") == 0) {
                continue; // an overlay whiteout: the task deleted its copy of an input, the original is untouched
            }
            if (type == EntryType.DIRECTORY) {
                if (h.enter(name)) {
                    walk(p, name + "/", h, kind, inputDir);
                }
                continue;
            }
            String input = inputDir == null ? null : inputDir + "/" + name;
            if (type != EntryType.FILE) {
                h.offer(name, type, mode & 07777, 1, InputStream.nullInputStream(), kind, input);
                continue;
            }
            // the apparent size, not the blocks: a sparse file claims what it would cost the host to copy
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                h.offer(name, type, mode & 07777, (Integer) a.get("nlink"), (Long) a.get("size"), in, kind, input);
            }
        }
    }
}
