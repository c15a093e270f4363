package io.isola.task;

import io.isola.core.Host;
import io.isola.core.IsolaException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The folder a safe view is saved in: the one given with {@code --output}, else the original's. An original in a
 * folder the person cannot write (a read-only medium, a shared folder, someone else's) still gets its view: in the
 * current directory, else in their home, and the result line says where and why. Each place is tried as files there
 * are really made, with the caller's rights, before any cell runs.
 *
 * @param folder where the view goes
 * @param note why it is not beside the original, for the result line; null when it is, or when --output chose
 */
record ViewDestination(Path folder, String note) {
    static ViewDestination choose(TaskContext ctx, Path original, Path output) {
        if (output != null) {
            Path dir = output.toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                throw new IsolaException("--output " + dir + " is not a folder: give an existing folder", 2);
            }
            String why = unwritable(ctx, dir);
            if (why != null) {
                throw new IsolaException(
                        "cannot save the safe view in " + dir + ": it " + why
                                + ": give --output a folder you can write",
                        2);
            }
            return new ViewDestination(dir, null);
        }
        Path beside = original.getParent();
        String why = unwritable(ctx, beside);
        if (why == null) {
            return new ViewDestination(beside, null);
        }
        Map<Path, String> elsewhere = new LinkedHashMap<>();
        elsewhere.put(Path.of("").toAbsolutePath(), "the current directory");
        elsewhere.putIfAbsent(
                Host.invokingHome(ctx.callerEnv()).toAbsolutePath().normalize(), "your home folder");
        elsewhere.remove(beside);
        List<String> tried = new ArrayList<>();
        for (var e : elsewhere.entrySet()) {
            if (Files.isDirectory(e.getKey()) && unwritable(ctx, e.getKey()) == null) {
                return new ViewDestination(e.getKey(), beside + " " + why + ", so it went to " + e.getValue());
            }
            tried.add(e.getValue() + " " + e.getKey());
        }
        throw new IsolaException(
                "cannot save the safe view: " + beside + " " + why
                        + (tried.isEmpty() ? "" : ", nor can you write " + String.join(" or ", tried))
                        + ": give --output DIR, a folder you can write",
                2);
    }

    /** Null when the caller can create files in {@code dir}, else why not ("is on a read-only file system"). */
    private static String unwritable(TaskContext ctx, Path dir) {
        try {
            ctx.persister().checkCanCreateBeside(dir.resolve("probe"));
            return null;
        } catch (AccessDeniedException | IsolaException denied) { // IsolaException: CallerFiles' "may not create"
            return "is not writable by you";
        } catch (FileSystemException e) {
            return e.getReason() != null
                            && e.getReason().toLowerCase(java.util.Locale.ROOT).contains("read-only")
                    ? "is on a read-only file system"
                    : "cannot be written (" + e.getReason() + ")";
        } catch (IOException e) {
            return "cannot be written (" + e.getMessage() + ")";
        }
    }
}
