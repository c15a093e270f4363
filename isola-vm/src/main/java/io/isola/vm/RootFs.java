package io.isola.vm;

import io.isola.core.CellEtc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
 */
final class RootFs {
    /** Of /usr/lib: libraries, the JDK, locales, libmagic's compiled database (file), terminal descriptions. */
    static final String USR_LIB = "x86_64-linux-gnu|jvm|locale|file|terminfo";
    /**
     * Of /usr/share: fonts and fontconfig's configuration (the text renderer, pdftoppm), poppler's encodings and
     * CMaps, magic (file), time zones, terminal descriptions, and the CA certificates /etc/ssl/certs links to.
     */
    static final String USR_SHARE = "fonts|fontconfig|poppler|misc|file|zoneinfo|terminfo|ca-certificates";

    private RootFs() {}

    /** The mksquashfs command that writes the root to {@code target}; its output is the same for the same host. */
    static List<String> command(Path usr, Path etc, Path javaHome, Path target) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/mksquashfs", usr.toString(), etc.toString(),
                target.toString(), "-noappend", "-quiet", "-no-progress", "-comp", "lz4", "-mkfs-time", "0",
                "-all-time", "0", "-all-root", "-wildcards", "-e"));
        cmd.addAll(excludes(etc, javaHome));
        return cmd;
    }

    /** mksquashfs's exclude patterns, relative to the image's root (usr/..., etc/...). */
    static List<String> excludes(Path etc, Path javaHome) {
        List<String> out = new ArrayList<>(List.of("usr/!(bin|sbin|lib|lib64|libexec|share)",
                "usr/lib/!(" + USR_LIB + ")", "usr/lib/jvm/!(" + javaHome.getFileName() + ")",
                "usr/share/!(" + USR_SHARE + ")"));
        for (String rel : CellEtc.hiddenPresent(etc)) {
            out.add("etc/" + literal(rel));
        }
        for (String rel : CellEtc.replacements(java.util.OptionalInt.empty()).keySet()) {
            out.add("etc/" + literal(rel)); // replaced in the guest; the host's never enter the image
        }
        return out;
    }

    /** A path as a wildcard pattern that matches only itself. */
    private static String literal(String path) {
        return path.replaceAll("([\\\\*?\\[\\]!()|@+])", "\\\\$1");
    }
}
