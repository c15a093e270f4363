package io.isola.desktop;

import io.isola.core.IsolaException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * {@code isola desktop install|uninstall}: the entry, the bus's service file, the launcher and the login's autostart
 * of the agent, and Isola as the default application for the types and schemes the policy opens in cells. Install
 * records each default it replaced; uninstall puts back those it still finds Isola's, leaving any the person changed
 * since.
 */
public final class DesktopInstaller {
    static final String OURS = DesktopPaths.ID + ".desktop;";
    private static final String PREVIOUS = "previous.", NONE = "";

    private final DesktopPaths paths;

    public DesktopInstaller(DesktopPaths paths) {
        this.paths = paths;
    }

    /**
     * @param isola how to run the isola command (for the launcher's fallback and the agent)
     * @param opensInCell whether the policy has a handler for a type or scheme
     * @return the types Isola became the default for
     */
    public List<String> install(String isola, Predicate<String> opensInCell) {
        Path mimeapps = paths.mimeapps();
        checkWritable(mimeapps);
        Properties record = readRecord();
        if (record == null) {
            record = new Properties();
        }
        MimeApps apps = new MimeApps(read(mimeapps));
        List<String> made = new ArrayList<>();
        for (String type : DesktopTypes.ALL) {
            if (!opensInCell.test(type)) {
                continue;
            }
            String before = apps.set(type, OURS);
            // installing again keeps what was there before the first install, not Isola's own entry
            if (!record.containsKey(PREVIOUS + type) && !OURS.equals(before)) {
                record.setProperty(PREVIOUS + type, before == null ? NONE : before);
            } else if (!record.containsKey(PREVIOUS + type)) {
                record.setProperty(PREVIOUS + type, NONE);
            }
            made.add(type);
        }
        write(paths.launcher(), DesktopFiles.launcher(isola), "rwxr-xr-x");
        write(paths.entry(), DesktopFiles.entry(paths.launcher()), "rw-r--r--");
        write(paths.busService(), DesktopFiles.busService(isola), "rw-r--r--");
        write(paths.autostart(), DesktopFiles.autostart(), "rw-r--r--");
        record.setProperty("mimeapps", mimeapps.toString());
        writeRecord(record); // before the defaults change: an install cut short can still be undone
        write(mimeapps, apps.text(), "rw-r--r--");
        return made;
    }

    /** @return the types whose earlier default came back */
    public List<String> uninstall() {
        Properties record = readRecord();
        if (record == null) {
            throw new IsolaException(
                    "Isola's desktop entries are not installed " + (paths.system() ? "for everyone" : "for you")
                            + " (no record at " + paths.record() + "): nothing to uninstall; `isola desktop install "
                            + paths.scope() + "` installs them",
                    1);
        }
        Path mimeapps = Path.of(record.getProperty("mimeapps", paths.mimeapps().toString()));
        List<String> restored = new ArrayList<>();
        if (Files.exists(mimeapps)) {
            checkWritable(mimeapps);
            MimeApps apps = new MimeApps(read(mimeapps));
            for (String key : record.stringPropertyNames()) {
                if (!key.startsWith(PREVIOUS)) {
                    continue;
                }
                String type = key.substring(PREVIOUS.length());
                if (OURS.equals(apps.get(type))) { // one the person changed since is theirs now
                    String before = record.getProperty(key);
                    apps.set(type, before.equals(NONE) ? null : before);
                    restored.add(type);
                }
            }
            write(mimeapps, apps.text(), "rw-r--r--");
        }
        try {
            Files.deleteIfExists(paths.entry());
            Files.deleteIfExists(paths.busService());
            Files.deleteIfExists(paths.autostart());
            Files.deleteIfExists(paths.launcher());
            deleteIfEmpty(paths.launcher().getParent());
            Files.deleteIfExists(paths.record());
        } catch (IOException e) {
            throw new IsolaException("could not remove " + e.getMessage() + ": check its directory's permissions", 1);
        }
        return restored.stream().sorted().toList();
    }

    private static void deleteIfEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            if (s.findAny().isEmpty()) {
                Files.delete(dir);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // gone already
        }
    }

    private Properties readRecord() {
        if (!Files.exists(paths.record())) {
            return null;
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(paths.record())));
        } catch (IOException | IllegalArgumentException e) {
            throw new IsolaException(
                    "cannot read " + paths.record() + " (" + e.getMessage() + "): remove it, and set the defaults "
                            + "with xdg-mime default",
                    1);
        }
        return p;
    }

    private void writeRecord(Properties record) {
        StringWriter w = new StringWriter();
        try {
            record.store(w, "isola desktop install: what it changed, so that uninstall puts it back");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        write(paths.record(), w.toString(), "rw-r--r--");
    }

    /** A file the person made read-only stays as it is: Isola refuses rather than replace it. */
    private static void checkWritable(Path file) {
        Path dir = file.getParent();
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new IsolaException(
                    "cannot change " + file + ": it is not writable for you; make it writable (chmod u+w) or "
                            + "set the defaults yourself",
                    1);
        }
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null && !Files.isWritable(existing)) {
            throw new IsolaException(
                    "cannot write in " + existing + ": it is not writable for you (--system needs root)", 1);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new IsolaException("cannot read " + file + " (" + e.getMessage() + ")", 1);
        }
    }

    /** Whole or not at all: written beside, then renamed over; an existing file keeps its mode. */
    private static void write(Path file, String text, String mode) {
        checkWritable(file);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(
                        tmp,
                        Files.exists(file)
                                ? Files.getPosixFilePermissions(file)
                                : PosixFilePermissions.fromString(mode));
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (AccessDeniedException e) {
            throw new IsolaException("cannot write " + file + ": permission denied (--system needs root)", 1);
        } catch (IOException e) {
            throw new IsolaException("cannot write " + file + " (" + e.getMessage() + ")", 1);
        }
    }
}
