package io.isola.desktop;

import io.isola.core.IsolaException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The texts install writes: the desktop entry, the session bus's service file, the launcher and the login's autostart.
 */
final class DesktopFiles {
    private DesktopFiles() {}

    static String entry(Path launcher) {
        String exec = execPath(launcher);
        return """
                [Desktop Entry]
                Type=Application
                Version=1.4
                Name=Isola
                GenericName=Open in a cell
                Comment=Opens files and links from outside in a disposable cell
                Icon=security-high
                TryExec=%1$s
                Exec=%1$s %%U
                Terminal=false
                DBusActivatable=true
                Categories=System;Security;
                MimeType=%2$s;
                Actions=open-in-cell;safe-view;

                [Desktop Action open-in-cell]
                Name=Open in a cell
                Exec=%1$s --open %%U

                [Desktop Action safe-view]
                Name=Safe view
                Exec=%1$s --view %%U
                """.formatted(exec, String.join(";", DesktopTypes.ALL));
    }

    /** D-Bus activation: the bus runs {@code isola desktop agent} when someone calls io.isola.Isola first. */
    static String busService(String isola) {
        return """
                [D-BUS Service]
                Name=%s
                Exec=%s desktop agent
                """.formatted(DesktopPaths.ID, execPath(Path.of(isola)));
    }

    /**
     * Run by the desktop at login (XDG autostart): a call to the agent's name, which the bus answers by starting the
     * agent from its service file (D-Bus activation), exactly once however the first call comes.
     */
    static String autostart() {
        return """
                [Desktop Entry]
                Type=Application
                Version=1.4
                Name=Isola agent
                Comment=Starts Isola's agent at login, so that the first file opened in a cell does not wait for it
                TryExec=dbus-send
                Exec=dbus-send --session --dest=%s /io/isola/Isola org.freedesktop.DBus.Peer.Ping
                Terminal=false
                NoDisplay=true
                X-GNOME-Autostart-enabled=true
                """.formatted(DesktopPaths.ID);
    }

    static String launcher(String isola) {
        try (InputStream in = DesktopFiles.class.getResourceAsStream("isola-open.sh")) {
            String template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return template.replace("@ISOLA@", "'" + isola.replace("'", "'\\''") + "'");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A path as an Exec line may hold it. xdg-open (1.1.3) splits the line at blanks and ignores quotes, so a path
     * with a blank or a character the desktop entry spec reserves cannot be run from a double-click.
     */
    static String execPath(Path p) {
        String s = p.toString();
        if (!s.matches("[A-Za-z0-9/._+@,-]+")) {
            throw new IsolaException(
                    "the path " + s + " has a space or a character an Exec line cannot hold: install from a "
                            + "directory without them (or set XDG_DATA_HOME, ISOLA_COMMAND)",
                    2);
        }
        return s;
    }
}
