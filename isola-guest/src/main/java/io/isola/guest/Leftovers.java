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
    /** Entry types, in the order of the host's Harvester.EntryType. */
    static final int FILE = 0, DIRECTORY = 1, SYMLINK = 2, FIFO = 3, DEVICE = 4, SOCKET = 5, OTHER = 6;
    static final int CREATED = 0, CHANGED_INPUT = 1;
    private static final int MAX_DEPTH = 64;

    private final Agent.Sender out;
    private final InputFiles inputs;

    Leftovers(Agent.Sender out, InputFiles inputs) {
        this.out = out;
        this.inputs = inputs;
    }

    void send(String outputDir, List<String> inputDirs) throws IOException {
        if (!outputDir.isEmpty() && Files.isDirectory(Path.of(outputDir), LinkOption.NOFOLLOW_LINKS)) {
            walk(Path.of(outputDir), "", CREATED, null, 0);
        }
        for (String dir : inputDirs) {
            if (Files.isDirectory(Path.of(dir), LinkOption.NOFOLLOW_LINKS)) {
                walk(Path.of(dir), "", CHANGED_INPUT, dir, 0);
            }
        }
    }

    private void walk(Path dir, String prefix, int kind, String inputDir, int depth) throws IOException {
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
            int type = type(mode);
            if (kind == CHANGED_INPUT && type == FILE && inputs.unchanged(p)) {
                continue;
            }
            String input = inputDir == null ? "" : inputDir + "/" + name;
            long size = type == FILE ? (Long) a.get("size") : 0;
            out.send(Wire.ENTRY, new Wire.Builder().u8(kind).u8(type).i32(mode & 07777)
                    .i64(((Integer) a.get("nlink")).longValue()).i64(size).str(name).str(input).bytes());
            if (type == DIRECTORY) {
                walk(p, name + "/", kind, inputDir, depth + 1);
            } else if (type == FILE) {
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

    /** The twin of the host's Harvester.EntryType.ofMode: the agent has no dependencies, so it keeps its own. */
    private static int type(int mode) {
        return switch (mode & 0170000) {
            case 0100000 -> FILE;
            case 0040000 -> DIRECTORY;
            case 0120000 -> SYMLINK;
            case 0010000 -> FIFO;
            case 0020000, 0060000 -> DEVICE;
            case 0140000 -> SOCKET;
            default -> OTHER;
        };
    }
}
