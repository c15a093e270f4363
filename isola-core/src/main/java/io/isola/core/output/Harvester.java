package io.isola.core.output;

import io.isola.core.Harvest;
import io.isola.core.Harvest.Kind;
import io.isola.core.Harvest.OutputFile;
import io.isola.core.Harvest.Problem;
import io.isola.core.Harvest.Problem.Reason;
import io.isola.core.OutputQuota;
import io.isola.core.Sha256;
import io.isola.core.TerminalText;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The host's side of bringing files out of a cell, shared by every engine. An engine walks what the task left and
 * reports each entry here; this class alone decides what comes out, under which name and within which quota. It
 * trusts nothing the engine passes on from the cell: names, types, sizes and contents are all checked here.
 *
 * <p>Only regular files come out, with safe names, without set-id or execute bits, copied byte by byte into the
 * staging directory and hashed on the way. Links, FIFOs, devices and sockets stay in the cell and are reported.
 */
public final class Harvester {
    /**
     * The kinds of entry a cell can leave. Never sent by position: the vm engine maps its guest's wire codes to these
     * by name (AgentChannel.type), so the order here is free.
     */
    public enum EntryType {
        FILE,
        DIRECTORY,
        SYMLINK,
        FIFO,
        DEVICE,
        SOCKET,
        OTHER;

        /** The kind of entry a {@code st_mode} (the type bits) describes. */
        public static EntryType ofMode(int mode) {
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

    static final int MAX_NAME_BYTES = OutputNames.MAX_NAME_BYTES;

    /**
     * Whether {@code path} names a lock file that a window program keeps beside the document it has open:
     * LibreOffice's {@code .~lock.NAME#}. A cell is ended with its program, which never gets to remove it, so every
     * office document opened in a window would otherwise leave one as an output (beside the person's file, with
     * new-version). It records only who had the document open, so it is no one's content and stays in the cell.
     */
    static boolean isLockFile(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.startsWith(".~lock.") && name.endsWith("#") && name.length() > ".~lock.#".length();
    }

    private static final int SETID_BITS = 06000;
    /** The size of an offered file whose engine cannot tell it before reading. */
    public static final long UNKNOWN_SIZE = -1;

    private final Path into;
    private final OutputQuota quota;
    private final List<OutputFile> files = new ArrayList<>();
    private final List<Problem> problems = new ArrayList<>();
    private final Set<String> taken = new HashSet<>();
    private long bytes;

    public Harvester(Path into, OutputQuota quota) {
        this.into = into;
        this.quota = quota;
    }

    /** Whether the engine should descend into a directory at {@code path} (relative, '/'-separated). */
    public boolean enter(String path) {
        String safe = safePath(path);
        if (safe == null) {
            return false;
        }
        if (depth(safe) > quota.maxDepth()) {
            refuse(
                    path,
                    "is nested deeper than " + quota.maxDepth() + " directories; its contents stay in the cell",
                    Reason.TOO_DEEP);
            return false;
        }
        return true;
    }

    /** Offers one entry whose size is not known before it is read: it counts against the quota as it is read. */
    public void offer(String path, EntryType type, int mode, long links, InputStream content, Kind kind, String input) {
        offer(path, type, mode, links, UNKNOWN_SIZE, content, kind, input);
    }

    /**
     * Offers one entry. {@code content} is read only for a regular file that passes every check.
     *
     * @param mode the entry's permission bits as the cell left them
     * @param links its hard-link count
     * @param size the size the file claims (its apparent size, {@code st_size}), which is what counts against the
     *     quota before a byte is read: a sparse file claims gigabytes it never stored; {@link #UNKNOWN_SIZE} if the
     *     engine cannot tell
     * @param input for a changed input file, its cell path (else null)
     */
    public void offer(
            String path,
            EntryType type,
            int mode,
            long links,
            long size,
            InputStream content,
            Kind kind,
            String input) {
        if (type == EntryType.FILE && isLockFile(path)) {
            return; // stays in the cell, and says nothing: it is no one's content
        }
        String safe = safePath(path);
        if (safe == null) {
            return;
        }
        if (depth(safe) > quota.maxDepth() + 1) { // an engine that skipped enter() must not get around the limit
            refuse(
                    path,
                    "is nested deeper than " + quota.maxDepth() + " directories; it stays in the cell",
                    Reason.TOO_DEEP);
            return;
        }
        String notRegular = switch (type) {
            case FILE, DIRECTORY -> null;
            case SYMLINK -> "is a symbolic link; only regular files leave a cell, a link could point anywhere";
            case FIFO -> "is a FIFO; only regular files leave a cell";
            case DEVICE -> "is a device node; only regular files leave a cell";
            case SOCKET -> "is a socket; only regular files leave a cell";
            case OTHER -> "is not a regular file; only regular files leave a cell";
        };
        if (type == EntryType.DIRECTORY) {
            return;
        }
        if (notRegular != null) {
            refuse(path, notRegular, Reason.NOT_REGULAR);
            return;
        }
        if (links > 1) {
            refuse(path, "has " + links + " hard links; only files with a single name leave a cell", Reason.HARD_LINKS);
            return;
        }
        if (files.size() >= quota.maxFiles()) {
            refuse(
                    path,
                    "is over the output quota of " + quota.maxFiles() + " files; it stays in the cell",
                    Reason.FILE_QUOTA);
            return;
        }
        if (size > quota.maxFileBytes()) {
            refuse(
                    path,
                    "is over the limit of " + quota.maxFileBytes() + " bytes a file (it claims " + size
                            + "); it stays in the cell",
                    Reason.BYTE_QUOTA);
            return;
        }
        if (size > quota.maxBytes() - bytes) {
            refuse(
                    path,
                    "is over the output quota of " + quota.maxBytes() + " bytes (" + (quota.maxBytes() - bytes)
                            + " were left, it claims " + size + "); it stays in the cell",
                    Reason.BYTE_QUOTA);
            return;
        }
        copy(path, safe, mode, size, content, kind, input);
    }

    /** Reports an entry the engine could not offer (e.g. it vanished or could not be read). */
    public void refuse(String path, String message) {
        refuse(path, message, Reason.UNREADABLE);
    }

    private void refuse(String path, String message, Reason reason) {
        problems.add(new Problem(TerminalText.printable(path), message, false, reason));
    }

    public Harvest finish() {
        return new Harvest(files, problems);
    }

    private void copy(String path, String safe, int mode, long size, InputStream content, Kind kind, String input) {
        String name = unique(safe);
        Path target = into.resolve(name);
        long left = Math.min(quota.maxBytes() - bytes, quota.maxFileBytes());
        long limit = size == UNKNOWN_SIZE ? left : size; // never more than it declared, which fits in what is left
        MessageDigest sha = Sha256.digest();
        long n = 0;
        try {
            Files.createDirectories(target.getParent());
            try (OutputStream out =
                    Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                byte[] buf = new byte[64 << 10];
                int r;
                while ((r = content.read(buf)) > 0) {
                    n += r;
                    if (n > limit) {
                        break;
                    }
                    if (quota.hash()) {
                        sha.update(buf, 0, r);
                    }
                    out.write(buf, 0, r);
                }
            }
            if (n > limit) {
                Files.delete(target);
                refuse(
                        path,
                        size == UNKNOWN_SIZE
                                ? "is over the output quota of " + quota.maxBytes() + " bytes (" + left
                                        + " were left); it stays in the cell"
                                : "holds more than the " + size + " bytes it " + "declared; it stays in the cell",
                        Reason.BYTE_QUOTA);
                return;
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(target);
            } catch (IOException ignored) {
                // the staging directory goes as a whole when the task ends
            }
            refuse(path, "could not be copied out: " + e.getMessage(), Reason.UNREADABLE);
            return;
        }
        bytes += n;
        taken.add(name);
        files.add(new OutputFile(
                name, target, n, quota.hash() ? HexFormat.of().formatHex(sha.digest()) : null, kind, input));
        // told only now that it did come out: a refused entry is reported once, as refused
        if (!name.equals(path)) {
            problems.add(new Problem(
                    TerminalText.printable(path),
                    (safe.equals(path)
                                    ? "has the name of a file that came out " + "before"
                                    : "had an unsafe name (control or format characters, a leading dot or dash, or over "
                                            + MAX_NAME_BYTES + " bytes)")
                            + "; it comes out as " + name,
                    true,
                    Reason.RENAMED));
        }
        if ((mode & SETID_BITS) != 0) {
            problems.add(new Problem(
                    TerminalText.printable(path),
                    "had set-id bits; it comes out as a plain 0644 file",
                    true,
                    Reason.SET_ID));
        }
    }

    /**
     * The safe relative path for a cell's name, or null (and a problem) when the name tries to leave the output
     * directory. Unprintable or overlong components are renamed rather than dropped, so nothing is lost.
     */
    private String safePath(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.length() > 4096) {
            refuse(path, "has an absolute, empty or absurdly long path; it stays in the cell", Reason.BAD_PATH);
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                refuse(
                        path,
                        "has a path that climbs out of the output directory; it stays in the cell",
                        Reason.BAD_PATH);
                return null;
            }
            String safe = safeName(part);
            out.append(out.isEmpty() ? "" : "/").append(safe);
        }
        return out.toString();
    }

    /** One path component made safe to keep: see {@link OutputNames#safeName}. */
    public static String safeName(String part) {
        return OutputNames.safeName(part);
    }

    private String unique(String name) {
        if (!taken.contains(name)) {
            return name;
        }
        for (int i = 2; ; i++) {
            String candidate = name + "." + i;
            if (!taken.contains(candidate)) {
                return candidate;
            }
        }
    }

    private static int depth(String safe) {
        return (int) safe.chars().filter(c -> c == '/').count() + 1;
    }
}
