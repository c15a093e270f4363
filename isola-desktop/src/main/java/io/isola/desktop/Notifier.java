package io.isola.desktop;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Tells the person where they look: a desktop notification through {@code notify-send} (libnotify-bin), when a
 * session bus exists. Without one there is nobody to show it to there, and the lines stay in the log.
 */
public final class Notifier {
    private final Map<String, String> env;

    public Notifier(Map<String, String> env) {
        this.env = env;
    }

    /** Whether this session has a bus to show notifications on. */
    public boolean available() {
        String bus = env.get("DBUS_SESSION_BUS_ADDRESS");
        String runtime = env.get("XDG_RUNTIME_DIR");
        return (bus != null && !bus.isBlank()) || (runtime != null && Files.exists(Path.of(runtime, "bus")));
    }

    /**
     * Shows {@code body}, the lines as the terminal would have shown them. notify-send's body may carry markup, so
     * the two characters that start it (&amp; and &lt;) are escaped; a lone {@code >}, as in "1 page(s) -> FILE",
     * means nothing there and stays as the terminal shows it.
     *
     * @return whether a notification was sent
     */
    public boolean notify(String summary, String body, boolean refused) {
        if (!available()) {
            return false;
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(
                        "notify-send",
                        "--app-name=Isola",
                        "--urgency=" + (refused ? "critical" : "normal"),
                        "--icon=" + (refused ? "dialog-warning" : "dialog-information"),
                        "--",
                        summary,
                        escape(body)))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().clear();
        pb.environment().putAll(env);
        if (env.get("DBUS_SESSION_BUS_ADDRESS") == null) {
            pb.environment().put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + env.get("XDG_RUNTIME_DIR") + "/bus");
        }
        try {
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (java.io.IOException e) {
            System.err.println("isola: could not notify (" + e.getMessage() + "): install libnotify-bin");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;");
    }
}
