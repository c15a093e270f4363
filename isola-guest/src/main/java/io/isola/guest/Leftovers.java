package io.isola.guest;

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
 * Sends what the finished task left: every entry of its output directory, and every file in its input directories
 * that it created or changed. One ENTRY frame each, then for regular files the contents as DATA frames and a
 * DATA_END. Links are never followed; the host decides what comes out.
 */
final class Leftovers {
    private static final int MAX_DEPTH = 64;

    private final Agent.Sender out;
    private final InputFiles inputs;

    Leftovers(Agent.Sender out, InputFiles inputs) {
        this.out = out;
        this.inputs = inputs;
    }

    void send(String outputDir, List<String> inputDirs) throws IOException {
        if (!outputDir.isEmpty() && Files.isDirectory(Path.of(outputDir), LinkOption.NOFOLLOW_LINKS)) {
            walk(Path.of(outputDir), "", Entry.Kind.CREATED, null, 0);
        }
        for (String dir : inputDirs) {
            if (Files.isDirectory(Path.of(dir), LinkOption.NOFOLLOW_LINKS)) {
                walk(Path.of(dir), "", Entry.Kind.CHANGED_INPUT, dir, 0);
            }
        }
    }

    private void walk(Path dir, String prefix, Entry.Kind kind, String inputDir, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            return;
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(entries::add);
        }
        entries.sort(null);
        for (Path p : entries) {
            String name = prefix + p.getFileName();
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,nlink,size", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            Entry.Type type = Entry.Type.ofMode(mode);
            if (kind == Entry.Kind.CHANGED_INPUT && type == Entry.Type.FILE && inputs.unchanged(p)) {
                continue;
            }
            String input = inputDir == null ? "" : inputDir + "/" + name;
            long size = type == Entry.Type.FILE ? (Long) a.get("size") : 0;
            long links = ((Integer) a.get("nlink")).longValue();
            out.send(Wire.ENTRY, new Entry(kind, type, mode & 07777, links, size, name, input).encode());
            if (type == Entry.Type.DIRECTORY) {
                walk(p, name + "/", kind, inputDir, depth + 1);
            } else if (type == Entry.Type.FILE) {
                sendContents(p, size);
            }
        }
    }

    /** Exactly {@code size} bytes (the size announced), so the host can bound what it reads. */
    private void sendContents(Path p, long size) throws IOException {
        byte[] buf = new byte[Wire.MAX_PAYLOAD];
        long left = size;
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n <= 0) {
                    break;
                }
                left -= n;
                out.send(Wire.DATA, n == buf.length ? buf : java.util.Arrays.copyOf(buf, n));
            }
        } catch (IOException e) {
            // unreadable: the host sees fewer bytes than announced and refuses the file
        }
        out.send(Wire.DATA_END, new byte[0]);
    }
}
