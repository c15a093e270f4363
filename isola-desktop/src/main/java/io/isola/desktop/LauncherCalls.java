package io.isola.desktop;

import java.util.List;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * What Isola's own launcher calls on the agent: the freedesktop methods' work, with a signature {@code dbus-send} can
 * write ({@code as}; it cannot write the freedesktop methods' {@code a{sv}}). dbus-send, libdbus's small client,
 * takes 2-4 ms for a call where gdbus takes 9-12 (GLib's start and an introspection first), and a click pays it.
 */
@DBusInterfaceName("io.isola.Isola")
public interface LauncherCalls extends DBusInterface {
    /** Each file or link in a cell of its level, as a double-click (Open) or the "Open in a cell" action. */
    void OpenInCells(List<String> targets);

    /** A safe view of each file, as the "Safe view" action. */
    void SafeView(List<String> targets);

    /**
     * {@code isola open [--window] TARGET} typed in a terminal of this session (the {@code isola} launcher's call):
     * served with the terminal's streams, its window drawn here; the reply is the command's exit code, or -1 when
     * it is not for here (another DISPLAY, a stream that cannot be taken): then the launcher starts a JVM for it.
     */
    int OpenFromTerminal(String target, boolean window, String display);
}
