package io.isola.vm;

import io.isola.core.CellEtc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the VM image's read-only root holds: the host's /usr as {@code usr/} and its /etc as {@code etc/}, filtered.
 *
 * <p>/usr keeps programs and libraries, the one JDK Isola runs on, and of /usr/share only the data that the
 * policy's handlers and the safe view's renderers read (magic, fonts, poppler's data...): all of /usr is 6 GB here,
 * most of it things no cell runs, and documentation, manuals, translations and other JDKs stay out.
 *
 * <p>/etc is the host's, as the sandbox engine shows it ({@link CellEtc}): without it fontconfig has no
 * configuration, ld.so no cache, and the many /usr/bin tools that are links into /etc/alternatives do not exist. Its
 * secrets and account files never enter the image; the guest's /init lays Isola's account files over it.
 *
 * <p>Of both, nothing enters that the host keeps from its other users: see {@link #notForOthers}.
 */
final class RootFs {
    /**
     * Of /usr/lib: libraries, the JDK, locales, libmagic's compiled database (file), terminal descriptions, and what
     * a window needs: mupdf's X11 program (/usr/bin/mupdf is a script that runs it), the X server's protocol names
     * and xedit's Lisp files (/usr/lib/X11).
     */
    static final String USR_LIB = "x86_64-linux-gnu|jvm|locale|file|terminfo|mupdf|xorg|X11";
    /**
     * Of /usr/share: fonts and fontconfig's configuration (the text renderer, pdftoppm), poppler's encodings and
     * CMaps, magic (file), time zones, terminal descriptions, the CA certificates /etc/ssl/certs links to, and X11's
     * keyboard maps, locales and colour names, which a window's X server and its programs read (docs/windows.md).
     */
    static final String USR_SHARE = "fonts|fontconfig|poppler|misc|file|zoneinfo|terminfo|ca-certificates|X11";

    private RootFs() {}

    /** The mksquashfs command that writes the root to {@code target}; its output is the same for the same host. */
    static List<String> command(Path usr, Path etc, Path javaHome, Path target) {
        List<String> cmd = new ArrayList<>(List.of(
                "/usr/bin/mksquashfs",
                usr.toString(),
                etc.toString(),
                target.toString(),
                "-noappend",
                "-quiet",
                "-no-progress",
                "-comp",
                "lz4",
                "-mkfs-time",
                "0",
                "-all-time",
                "0",
                "-all-root",
                "-wildcards",
                "-e"));
        cmd.addAll(excludes(usr, etc, javaHome));
        return cmd;
    }

    /** mksquashfs's exclude patterns, relative to the image's root (usr/..., etc/...). */
    static List<String> excludes(Path usr, Path etc, Path javaHome) {
        List<String> out = new ArrayList<>(List.of(
                "usr/!(bin|sbin|lib|lib64|libexec|share)",
                "usr/lib/!(" + USR_LIB + ")",
                "usr/lib/jvm/!(" + javaHome.getFileName() + ")",
                "usr/share/!(" + USR_SHARE + ")"));
        List<String> kept =
                new ArrayList<>(List.of("bin", "sbin", "lib64", "libexec", "lib/jvm/" + javaHome.getFileName()));
        for (String d : USR_LIB.split("\\|")) {
            if (!d.equals("jvm")) {
                kept.add("lib/" + d);
            }
        }
        for (String d : USR_SHARE.split("\\|")) {
            kept.add("share/" + d);
        }
        for (String d : kept) {
            notForOthers(usr, usr.resolve(d), "usr/", out);
        }
        notForOthers(etc, etc, "etc/", out);
        for (String rel : CellEtc.hiddenPresent(etc)) {
            out.add("etc/" + literal(rel));
        }
        for (String rel : CellEtc.replacements(java.util.OptionalInt.empty()).keySet()) {
            out.add("etc/" + literal(rel)); // replaced in the guest; the host's never enter the image
        }
        return out;
    }

    /**
     * Adds what below {@code start} the host keeps from its other users: a file they cannot read, a directory they
     * cannot read or enter (pg_hba.conf, polkit's rules...). The image is a file any host user can read, and a task
     * is root in its VM, so such a file would be readable by both; in a sandbox cell its user cannot read it.
     */
    private static void notForOthers(Path root, Path start, String prefix, List<String> out) {
        if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<String> found = new ArrayList<>();
        try {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                    if (!dir.equals(root) && !others(dir, true)) {
                        found.add(prefix + literal(root.relativize(dir).toString()));
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                    if (!a.isSymbolicLink() && !others(file, false)) {
                        found.add(prefix + literal(root.relativize(file).toString()));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + start + " to build the VM image", e);
        }
        found.sort(null); // the walk's order is the directory's; the command's is fixed
        out.addAll(found);
    }

    private static boolean others(Path p, boolean directory) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        return perms.contains(PosixFilePermission.OTHERS_READ)
                && (!directory || perms.contains(PosixFilePermission.OTHERS_EXECUTE));
    }

    /** A path as a wildcard pattern that matches only itself. */
    private static String literal(String path) {
        return path.replaceAll("([\\\\*?\\[\\]!()|@+])", "\\\\$1");
    }
}
