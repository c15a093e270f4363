package io.isola.core.output;

import io.isola.core.Harvest;
import io.isola.core.Harvest.OutputFile;
import io.isola.core.policy.Persistence;
import io.isola.core.trust.Marks;
import io.isola.core.trust.Seal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a persistence rule to what a cell left: nothing, a quarantine directory, or the original's new version
 * beside it (everything else the task made goes to the quarantine: a name a task chose never lands beside the user's
 * files). It never overwrites a file: every target is created exclusively (which also refuses a planted
 * symlink), under a new name when the plain one is taken. Every file it keeps carries its taint; where the target's
 * file system cannot hold the marks, the file goes to Isola's own quarantine instead, and the user is told.
 */
public final class Persister {
    /** One kept file, or one message about a file; a kept file with a message was kept other than the rule says. */
    public record Outcome(Path path, String message) {}

    private final Path quarantine;
    private final Path fallback;
    private final Seal seal;
    private final int uid;
    private final int gid;
    private final FileCreator beside;

    /**
     * @param quarantine where {@code quarantine} keeps files (one directory per task)
     * @param fallback Isola's own quarantine for files whose marks cannot be written elsewhere
     * @param owner uid and gid that kept files are given: the person who asked for the task
     * @param beside how files beside the user's originals are created (with the user's rights under sudo)
     */
    public Persister(Path quarantine, Path fallback, Seal seal, int[] owner, FileCreator beside) {
        this.beside = beside;
        this.quarantine = quarantine;
        this.fallback = fallback;
        this.seal = seal;
        this.uid = owner[0];
        this.gid = owner[1];
    }

    /**
     * Fails early, before a task runs, when nothing could be saved beside {@code original}: creates and removes a
     * probe file there with the rights files beside originals are made with.
     */
    public void checkCanCreateBeside(Path original) throws IOException {
        Path probe = original.resolveSibling(
                ".isola-probe-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        beside.createNew(probe).close();
        Files.delete(probe);
    }

    /** Isola's own quarantine, where files go whose marks cannot be written elsewhere. */
    public Path fallbackDir() {
        return fallback;
    }

    public List<Outcome> persist(Harvest harvest, Persistence rule, Provenance from) throws IOException {
        List<Outcome> out = new ArrayList<>();
        for (OutputFile f : harvest.files()) {
            boolean besideIt = rule == Persistence.NEW_VERSION && isNewVersionOfOriginal(f, from);
            Path kept = switch (rule) {
                case DISCARD -> null;
                case QUARANTINE -> quarantine(f, from, out);
                case NEW_VERSION ->
                    besideIt
                            ? keep(f, from.input(), beside, from, Seal.Kind.TASK_OUTPUT, Map.of(), out)
                            : quarantine(f, from, out);
            };
            if (kept != null) {
                out.add(new Outcome(kept, rule == Persistence.NEW_VERSION && !besideIt ? notBeside(from) : null));
            }
            Files.deleteIfExists(f.staged());
        }
        if (rule == Persistence.DISCARD && !harvest.files().isEmpty()) {
            out.add(new Outcome(
                    null,
                    "discarded " + harvest.files().size() + " file(s) the task left: the policy " + "says discard for "
                            + from.trust().word() + " tasks"));
        }
        return out;
    }

    /**
     * Whether {@code f} is the task's changed copy of its original. Only that lands beside the original, and only
     * under a name derived from the original's ({@code NAME (isola N).EXT}): any other name a task chose there could
     * be {@code .bash_profile}, {@code -rf} or a look-alike of another file.
     */
    private static boolean isNewVersionOfOriginal(OutputFile f, Provenance from) {
        return f.kind() == Harvest.Kind.CHANGED_INPUT
                && from.input() != null
                && f.name().equals(Harvester.safeName(from.input().getFileName().toString()));
    }

    private static String notBeside(Provenance from) {
        return "quarantined: not a new version of "
                + (from.input() == null
                        ? "an original"
                        : from.input().getFileName().toString())
                + ", and new-version puts only that beside the original";
    }

    private Path quarantine(OutputFile f, Provenance from, List<Outcome> out) throws IOException {
        return keep(
                f,
                ownDirectory(quarantine.resolve(from.taskId()).resolve(f.name())),
                FileCreator.ISOLA,
                from,
                Seal.Kind.TASK_OUTPUT,
                Map.of(),
                out);
    }

    /**
     * Keeps one staged file beside the user's originals, under the first free name near {@code wanted}, created with
     * the caller's rights (the persister's {@link FileCreator} for them) and marked as coming from {@code from}, with {@code extra} marks
     * besides, sealed as a result of {@code kind}. Its hash and seal are of Isola's staged copy, never of the
     * published file, which the user may change. Only the host's own rebuilds are {@link Seal.Kind#SAFE_VIEW}.
     */
    public Path keepBeside(
            OutputFile f, Path wanted, Provenance from, Seal.Kind kind, Map<String, String> extra, List<Outcome> out)
            throws IOException {
        return keep(f, wanted, beside, from, kind, extra, out);
    }

    /** {@code file}, once its directory exists: a directory of Isola's own, private to it. */
    private static Path ownDirectory(Path file) throws IOException {
        Files.createDirectories(
                file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return file;
    }

    /** Copies a staged file to a new, exclusive target near {@code wanted}, marks it, or falls back. */
    private Path keep(
            OutputFile f,
            Path wanted,
            FileCreator creator,
            Provenance from,
            Seal.Kind kind,
            Map<String, String> extra,
            List<Outcome> out)
            throws IOException {
        Path target = createExclusive(f.staged(), wanted, creator);
        Marks marks = marks(f, from, kind, extra);
        try {
            marks.write(target);
        } catch (Marks.TaintNotWritableException e) {
            Files.delete(target);
            Path safe = createExclusive(
                    f.staged(), ownDirectory(fallback.resolve(from.taskId()).resolve(f.name())), FileCreator.ISOLA);
            try {
                marks.write(safe);
            } catch (IOException notEvenHere) {
                Files.delete(safe); // no copy may stay without its taint
                throw notEvenHere;
            }
            out.add(new Outcome(
                    null,
                    "not saved to " + wanted + ": " + e.getMessage() + ", and Isola does not let a "
                            + "file lose its taint; it is kept in " + safe));
            return safe;
        }
        give(target);
        return target;
    }

    /** Creates the first free name of {@code wanted}, "name (isola 2).ext", … with O_EXCL and copies into it. */
    private static Path createExclusive(Path staged, Path wanted, FileCreator creator) throws IOException {
        String name = wanted.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name, ext = dot > 0 ? name.substring(dot) : "";
        for (int i = 1; i < 1000; i++) {
            Path candidate = wanted.resolveSibling(i == 1 ? name : stem + " (isola " + i + ")" + ext);
            // CREATE_NEW: never replaces a file, never follows a planted link. The mode is set as the file is made,
            // not by a chmod afterwards: the user may swap the new file for a symlink while the bytes are copied,
            // and a chmod by path follows it (the JDK's does even with NOFOLLOW_LINKS).
            try (InputStream in = Files.newInputStream(staged);
                    OutputStream out = Channels.newOutputStream(creator.createNew(candidate))) {
                in.transferTo(out);
                return candidate;
            } catch (FileAlreadyExistsException taken) {
                // try the next name
            }
        }
        throw new IOException("no free name near " + wanted + " after 1000 tries");
    }

    private Marks marks(OutputFile f, Provenance from, Seal.Kind kind, Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Marks.TRUST, from.trust().word());
        m.put(Marks.ORIGIN, from.origin());
        m.put(Marks.CELL, from.cellId());
        m.put("isola.task", from.taskId());
        m.put(Marks.TIME, from.time().toString());
        m.put(Marks.SHA256, f.sha256());
        if (from.originUrl() != null) {
            m.put(Marks.XDG_ORIGIN, from.originUrl());
        }
        if (from.referrer() != null) {
            m.put(Marks.XDG_REFERRER, from.referrer());
        }
        m.putAll(extra);
        // last, so no extra mark can stand in for what the seal covers
        m.put(Marks.KIND, kind.word());
        m.put(Marks.SEAL, seal.sign(kind, from.trust(), f.sha256(), from.cellId()));
        return new Marks(m);
    }

    private void give(Path p) throws IOException {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }
}
