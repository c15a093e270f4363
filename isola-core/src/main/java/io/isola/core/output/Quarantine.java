package io.isola.core.output;

import io.isola.core.IsolaException;
import io.isola.core.TerminalText;
import io.isola.core.trust.Marks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What {@link Persister} keeps under the {@code quarantine} rule, read back: {@code QUARANTINE/TASK/NAME}, each file
 * marked with its taint and owned by the person who ran the task. A viewer other than root sees only the tasks whose
 * files are all theirs, as if the others did not exist. Every name in here came from a hostile cell: it is matched
 * against what is on disk, never resolved from what a user typed.
 */
public final class Quarantine {
    /** One kept file; {@code name} is its path inside the task's directory, '/'-separated. */
    public record Item(String name, Path path, long size, int owner, Marks marks) {}

    /** One task's kept files: when they left the cell, at which level, from where, and whose (-1: mixed). */
    public record Entry(String task, Path dir, Instant time, String trust, String origin, List<Item> files, int owner) {
        public long bytes() {
            return files.stream().mapToLong(Item::size).sum();
        }
    }

    /** Task ids as {@code Tasks.newId()} makes them: nothing else may name a directory in here. */
    private static final Pattern TASK_ID = Pattern.compile("t[0-9a-f]{12}");

    private static final int MIXED = -1;

    private final Path root;
    private final int viewer;

    /**
     * @param root the quarantine directory ({@code STATE/quarantine})
     * @param viewer the uid of the person asking (the sudo caller under sudo); 0 sees every task
     */
    public Quarantine(Path root, int viewer) {
        this.root = root;
        this.viewer = viewer;
    }

    public Path root() {
        return root;
    }

    /** The tasks this viewer may see, oldest first. */
    public List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path d : s.sorted().toList()) {
                String id = d.getFileName().toString();
                if (TASK_ID.matcher(id).matches() && Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                    Entry e = read(id, d);
                    if (visible(e)) {
                        out.add(e);
                    }
                }
            }
        }
        out.sort(Comparator.comparing(Entry::time));
        return out;
    }

    /** The task {@code id}, or a one-line error for an id that is malformed, unknown, or not this viewer's. */
    public Entry task(String id) throws IOException {
        if (!TASK_ID.matcher(id).matches()) {
            throw new IsolaException(
                    "'" + TerminalText.printable(id) + "' is not a task id: ids are t and 12 hex digits,"
                            + " as isola quarantine list shows them",
                    2);
        }
        Path d = root.resolve(id);
        Entry e = Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) ? read(id, d) : null;
        if (e == null || !visible(e)) {
            throw new IsolaException(
                    "no quarantined task " + id + (viewer == 0 ? "" : " of yours")
                            + ": isola quarantine list shows them",
                    2);
        }
        return e;
    }

    /** The files of {@code e} called {@code names} (all of them when empty); an unknown name is a one-line error. */
    public static List<Item> files(Entry e, List<String> names) {
        if (names.isEmpty()) {
            return e.files();
        }
        List<Item> out = new ArrayList<>();
        for (String n : names) {
            Item found = e.files().stream()
                    .filter(f -> f.name().equals(n))
                    .findFirst()
                    .orElseThrow(() -> new IsolaException(
                            "task " + e.task() + " has no file '" + TerminalText.printable(n) + "': isola "
                                    + "quarantine show " + e.task() + " lists its files",
                            2));
            if (!out.contains(found)) {
                out.add(found);
            }
        }
        return out;
    }

    /**
     * Copies {@code f} into {@code dir} under its name ('/' becomes '_'), or the first free "NAME (isola N).EXT",
     * created exclusively through {@code creator} (with the caller's rights under sudo) and marked with the same
     * taint, then removes it from the quarantine. A copy that cannot carry its marks is deleted and the file stays.
     */
    public Path release(Entry e, Item f, Path dir, FileCreator creator) throws IOException {
        Path target;
        try (InputStream in = Files.newInputStream(f.path(), LinkOption.NOFOLLOW_LINKS)) {
            target = createExclusive(in, dir.resolve(f.name().replace('/', '_')), creator);
        }
        try {
            marksOf(f).write(target);
        } catch (IOException notMarked) {
            Files.deleteIfExists(target); // no copy may leave without its taint
            throw notMarked;
        }
        Files.delete(f.path());
        removeEmptyDirs(f.path().getParent(), e.dir());
        return target;
    }

    /**
     * The file's marks; one that lost them in here still leaves as untrusted, since a released file without a trust
     * mark would be judged by where it lands alone (perhaps a trusted folder).
     */
    private static Marks marksOf(Item f) {
        if (f.marks().get(Marks.TRUST) != null) {
            return f.marks();
        }
        java.util.Map<String, String> m =
                new java.util.LinkedHashMap<>(f.marks().values());
        m.put(Marks.TRUST, "untrusted");
        return new Marks(m);
    }

    /** Removes the task's directory and everything in it. */
    public void purge(Entry e) throws IOException {
        try (Stream<Path> s = Files.walk(e.dir())) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private boolean visible(Entry e) {
        return viewer == 0 || (e.owner() == viewer && !e.files().isEmpty());
    }

    private static Entry read(String id, Path dir) throws IOException {
        List<Item> files = new ArrayList<>();
        int owner = Integer.MIN_VALUE;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted().toList()) {
                PosixFileAttributes a;
                try {
                    a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue; // released or purged meanwhile
                }
                if (!a.isRegularFile()) {
                    continue;
                }
                int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                owner = owner == Integer.MIN_VALUE || owner == uid ? uid : MIXED;
                files.add(new Item(dir.relativize(p).toString(), p, a.size(), uid, Marks.read(p)));
            }
        }
        Marks first = files.isEmpty() ? Marks.NONE : files.get(0).marks();
        return new Entry(
                id,
                dir,
                time(first, dir),
                first.get(Marks.TRUST),
                first.origin(),
                files,
                owner == Integer.MIN_VALUE ? MIXED : owner);
    }

    /** When the task's files left their cell (their mark), else when the directory was made. */
    private static Instant time(Marks m, Path dir) throws IOException {
        String t = m.get(Marks.TIME);
        if (t != null) {
            try {
                return Instant.parse(t);
            } catch (DateTimeParseException e) {
                // a mark is only a hint: fall back to the directory
            }
        }
        return Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant();
    }

    /** The first free name near {@code wanted}, created with O_EXCL (never replaces, never follows a link). */
    private static Path createExclusive(InputStream in, Path wanted, FileCreator creator) throws IOException {
        String name = wanted.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name, ext = dot > 0 ? name.substring(dot) : "";
        for (int i = 1; i < 1000; i++) {
            Path candidate = wanted.resolveSibling(i == 1 ? name : stem + " (isola " + i + ")" + ext);
            try (OutputStream out = Channels.newOutputStream(creator.createNew(candidate))) {
                in.transferTo(out);
                return candidate;
            } catch (FileAlreadyExistsException taken) {
                // try the next name
            }
        }
        throw new IOException("no free name near " + wanted + " after 1000 tries");
    }

    private static void removeEmptyDirs(Path from, Path taskDir) throws IOException {
        for (Path d = from; d != null && d.startsWith(taskDir); d = d.getParent()) {
            try (Stream<Path> s = Files.list(d)) {
                if (s.findAny().isPresent()) {
                    return;
                }
            }
            Files.delete(d);
        }
    }
}
