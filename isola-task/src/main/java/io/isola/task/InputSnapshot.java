package io.isola.task;

import io.isola.core.GuardRefusal;
import io.isola.core.Harvest;
import io.isola.core.IsolaException;
import io.isola.core.Sha256;
import io.isola.core.output.Harvester;
import io.isola.core.trust.Marks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Isola's private copy of a task's input, taken once: the type, the trust decision and the cell all see these exact
 * bytes, so a file that changes later (or while the task runs) cannot slip other content past the checks. A file
 * that changes while it is being copied is refused rather than half-copied.
 *
 * @param original the file the user named, absolute
 * @param realPath where it really is, symlinks resolved: what policy directories are matched against
 * @param copy the snapshot, the only file in {@code dir}
 * @param marks the original's taint
 */
public record InputSnapshot(
        Path original, Path realPath, Path dir, Path copy, String name, long size, String sha256, Marks marks) {
    /**
     * Copies {@code file} into {@code dir} (made here, private to root), checking it stood still meanwhile. The
     * file is opened with the rights of the caller that {@code callerEnv} names (see {@link CallerFiles}).
     */
    public static InputSnapshot take(Path file, Path dir, long maxBytes, Map<String, String> callerEnv) {
        Path original = file.toAbsolutePath().normalize();
        Path real;
        Map<String, Object> before;
        try {
            real = original.toRealPath();
            before = Files.readAttributes(real, "unix:mode,ino,dev,size,ctime,lastModifiedTime");
        } catch (NoSuchFileException e) {
            throw new IsolaException("no such file: " + original + ": check the name", 2);
        } catch (IOException e) {
            throw new IsolaException("cannot read " + original + ": " + e.getMessage(), 2);
        }
        int type = (Integer) before.get("mode") & 0170000;
        if (type != 0100000) {
            throw new IsolaException(
                    original + " is not a regular file ("
                            + (type == 0040000 ? "a directory" : "a FIFO, device or socket") + "): open a regular file",
                    2);
        }
        if ((Long) before.get("size") > maxBytes) {
            throw new IsolaException(
                    original + " is larger than the cell's disk (" + maxBytes + " bytes): raise "
                            + "disk in the policy for this trust level",
                    2);
        }
        String name = Harvester.safeName(original.getFileName().toString());
        try {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path copy = dir.resolve(name);
            MessageDigest sha = Sha256.digest();
            long n = 0;
            Marks marks;
            try (InputStream in = CallerFiles.open(callerEnv, real, original);
                    OutputStream out = Files.newOutputStream(copy, StandardOpenOption.CREATE_NEW)) {
                marks = Marks.read(real);
                byte[] buf = new byte[128 << 10];
                int r;
                while ((r = in.read(buf)) > 0) {
                    n += r;
                    if (n > maxBytes) {
                        throw new IsolaException(
                                original + " grew past the cell's disk while it was being "
                                        + "opened: open it again once it is complete",
                                2);
                    }
                    sha.update(buf, 0, r);
                    out.write(buf, 0, r);
                }
            }
            Map<String, Object> after = Files.readAttributes(real, "unix:mode,ino,dev,size,ctime,lastModifiedTime");
            if (!before.equals(after) || n != (Long) after.get("size")) {
                throw new IsolaException(
                        original + " changed while it was being opened: open it again once "
                                + "whatever writes it has finished",
                        2);
            }
            // The cell may change its copy (copy-on-write, never the host's): world-writable inside a directory
            // only root can enter.
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-rw-rw-"));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return new InputSnapshot(original, real, dir, copy, name, n, Sha256.hex(sha), marks);
        } catch (IOException e) {
            if (GuardRefusal.is(e)) { // a guard keeps it closed, and this Isola is not one it lets through
                throw GuardRefusal.explain(original.toString(), "run Isola with sudo, as the guard's own JDK runs it");
            }
            throw new IsolaException("cannot copy " + original + " for the cell: " + e.getMessage());
        }
    }

    /**
     * Isola's copy of a file a link task's cell fetched (already harvested: the host treated it as hostile), in
     * {@code dir}, marked with the link as its origin. {@code shownAs} is where the user would find it had they
     * downloaded it where they are: the name messages use and where its safe view goes.
     */
    static InputSnapshot fetched(Harvest.OutputFile f, Path dir, String url, Path shownAs) throws IOException {
        Files.createDirectories(
                dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path copy = dir.resolve(f.name());
        Files.copy(f.staged(), copy);
        return inDir(dir, copy, f.name(), shownAs, new Marks(Map.of(Marks.XDG_ORIGIN, url)));
    }

    /**
     * Isola's copy of a member a container's cell unpacked (already harvested as hostile), moved into {@code dir} as
     * {@code name} (a safe name: the type's name-based refinement reads it), marked as coming from {@code origin}.
     */
    static InputSnapshot member(Path staged, Path dir, String name, Path shownAs, String origin) throws IOException {
        Files.createDirectories(
                dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path copy = dir.resolve(name);
        Files.move(staged, copy);
        return inDir(dir, copy, name, shownAs, new Marks(Map.of(Marks.ORIGIN, origin)));
    }

    private static InputSnapshot inDir(Path dir, Path copy, String name, Path shownAs, Marks marks) throws IOException {
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new InputSnapshot(shownAs, copy, dir, copy, name, Files.size(copy), Sha256.of(copy), marks);
    }

    /**
     * The same snapshot shown as {@code shownAs} (where its view is named from), still marked as coming from where
     * it really came from.
     */
    InputSnapshot shownAs(Path shownAs) {
        return new InputSnapshot(
                shownAs, realPath, dir, copy, name, size, sha256, new Marks(Map.of(Marks.ORIGIN, origin())));
    }

    /** Where this input came from: its origin mark, else the file the user named. */
    String origin() {
        return marks.origin() != null ? marks.origin() : original.toUri().toString();
    }
}
