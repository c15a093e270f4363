package io.isola.desktop;

import java.util.List;
import java.util.Map;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.Variant;

/**
 * The freedesktop interface a {@code DBusActivatable} application serves (desktop entry spec, "D-Bus
 * Activation"): desktops that know it call it directly; Isola's launcher calls it through {@code gdbus} for names
 * {@code dbus-send} cannot write ({@link LauncherCalls} otherwise).
 */
@DBusInterfaceName("org.freedesktop.Application")
public interface FreedesktopApplication extends DBusInterface {
    void Activate(Map<String, Variant<?>> platformData);

    void Open(List<String> uris, Map<String, Variant<?>> platformData);

    void ActivateAction(String actionName, List<Variant<?>> parameter, Map<String, Variant<?>> platformData);
}
