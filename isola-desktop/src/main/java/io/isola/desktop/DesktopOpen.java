package io.isola.desktop;

import io.isola.linux.Libc;
import io.isola.service.Message;
import io.isola.service.Protocol;
import io.isola.service.ServiceClient;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One file or link from the desktop, handed to the Isola service as {@code isola open} would hand it: the daemon
 * runs it in a cell as the person who asked (SO_PEERCRED). There is no terminal, so the task's report comes back
 * through a pipe, and what the terminal would have shown of a refusal or a kept output becomes a notification.
 */
public final class DesktopOpen {
    /** What happened: the exit code as {@code isola open} returns it and Isola's lines, as the terminal shows them. */
    public record Outcome(int exit, List<String> lines, String text) {
        /** Refused, failed, or output kept: what the person is told about. */
        public boolean worthTelling() {
            return exit != 0 || lines.stream().anyMatch(l -> l.startsWith("isola: kept "));
        }
    }

    private final Map<String, String> env;
    private final Notifier notifier;
    private Boolean canShowWindows;
    /** Whether anything was asked of the service yet: then there is nothing left to warm. */
    private volatile boolean asked;

    public DesktopOpen(Map<String, String> env) {
        this.env = env;
        this.notifier = new Notifier(env);
    }

    /** A terminal's open came: the first window is being made. */
    void asked() {
        asked = true;
    }

    /** The agent's environment: its session's DISPLAY, and where the service answers. */
    Map<String, String> env() {
        return env;
    }

    /**
     * While nobody waits: what the person's first window would otherwise start, where this session can show windows:
     * the desktop toolkit here, and a display of this desktop's size in the service.
     */
    void warmUp() {
        // a click that started the agent is already making the first window: warming beside it would only slow it
        if (!canShowWindows() || asked) {
            return;
        }
        io.isola.display.CellWindow.warmUp();
        if (asked) {
            return;
        }
        ServiceClient client = ServiceClient.connect(env);
        if (client == null) {
            return; // the first window's request finds out, and says so
        }
        int none = Libc.openReadOnly("/dev/null");
        try (client) {
            Message reply = client.call(
                    ServiceWindows.describeDesktop(ServiceClient.request(Protocol.PREPARE_WINDOW)), none, none, none);
            if (reply.get(Protocol.ERROR) != null) { // an older service: its first window starts its own display
                System.err.println("isola: no display prepared for the first window: " + reply.get(Protocol.ERROR));
            }
        } finally {
            Libc.close(none);
        }
    }

    /** Opens {@code target} (a path, a file:// URI or an http(s) link) in a cell; tells the person when it matters. */
    public Outcome open(String target, boolean view) {
        asked = true;
        Outcome o = request(target, view, view || !canShowWindows() ? null : Protocol.WINDOW_IF_GRAPHICAL);
        // everything to the agent's log (or the terminal of `isola desktop open`), the handler's own lines too; the
        // notification carries Isola's lines only, which no file or cell chose
        System.err.print(o.text);
        for (String l : o.lines) {
            if (!o.text.contains(l + "\n")) {
                System.err.println(l);
            }
        }
        if (o.worthTelling() || view) { // a safe view's point is the clean copy: say where it is
            notifier.notify(summary(target, o), String.join("\n", o.lines), o.exit != 0);
        }
        Path clean = view && o.exit == 0 ? safeCopy(o.lines) : null;
        if (clean != null && canShowWindows()) {
            // ...and to read it: in a viewer of its own, in a cell of the copy's level, drawn here
            Outcome shown = request(clean.toString(), false, Protocol.WINDOW_REQUIRED);
            System.err.print(shown.text);
        }
        return o;
    }

    /** The clean PDF a safe view made, as its report names it ("N page(s) -> PATH (trusted: ..."), or null. */
    static Path safeCopy(List<String> lines) {
        for (String l : lines) {
            var m = java.util.regex.Pattern.compile(" page\\(s\\) -> (/.+\\.pdf) \\(trusted")
                    .matcher(l);
            if (m.find()) {
                return Path.of(m.group(1));
            }
        }
        return null;
    }

    /** @param window the open's {@link Protocol#WINDOW} (null: none) */
    private Outcome request(String target, boolean view, String window) {
        String named;
        try {
            named = target(target);
        } catch (IllegalArgumentException e) {
            return new Outcome(2, List.of("isola: " + e.getMessage()), "");
        }
        io.isola.core.Trace.mark("desktop open begins");
        ServiceClient client = ServiceClient.connect(env);
        if (client == null) {
            return new Outcome(
                    125,
                    List.of("isola: no Isola service answers, so " + named + " was not opened: start it (isola daemon, "
                            + "or systemctl enable --now isola.socket) and open it again"),
                    "");
        }
        int in = Libc.openReadOnly("/dev/null");
        int[] pipe = Libc.pipe();
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().name("isola-report").start(() -> drain(pipe[0], said));
        Message reply;
        // a double-click is to see the file: where the policy's handler is a graphical program, its window
        Message request = openRequest(named, view, window);
        try (client;
                ServiceWindows windows = new ServiceWindows(client, System.err)) {
            // stdout: the agent's own, where a handler's text output goes (its log); stderr: the report
            io.isola.core.Trace.mark("request to the service");
            reply = client.call(request, in, 1, pipe[1], windows);
        } finally {
            Libc.close(in);
            Libc.close(pipe[1]);
        }
        try {
            reader.join(5000); // ends when the daemon has closed its copy of the pipe too
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> lines = new ArrayList<>();
        String text;
        synchronized (said) {
            text = said.toString(StandardCharsets.UTF_8);
        }
        text.lines().filter(l -> l.startsWith("isola: ")).forEach(lines::add);
        if (reply.get(Protocol.ERROR) != null) {
            lines.add("isola: " + reply.get(Protocol.ERROR));
        }
        int exit;
        try {
            exit = Integer.parseInt(reply.get(Protocol.EXIT));
        } catch (NumberFormatException | NullPointerException e) {
            exit = 125;
        }
        return new Outcome(exit, lines, text);
    }

    /**
     * The service's open of {@code named} (as {@link #target} made it), with this desktop's sizes when it asks for a
     * {@code window} ({@link Protocol#WINDOW}; null: none).
     */
    static Message openRequest(String named, boolean view, String window) {
        Message request = ServiceClient.request(Protocol.OPEN)
                .add(Protocol.TARGET, named)
                .add(Protocol.VIEW, Boolean.toString(view));
        return window == null ? request : ServiceWindows.describeDesktop(request.add(Protocol.WINDOW, window));
    }

    /**
     * The session has a display this process can draw on (the agent gets the session's DISPLAY from the bus), asked
     * once: a session's display does not come and go under its agent.
     */
    synchronized boolean canShowWindows() {
        if (canShowWindows == null) {
            String d = env.get("DISPLAY");
            boolean can = d != null
                    && !d.isBlank()
                    && !java.awt.GraphicsEnvironment.isHeadless()
                    && io.isola.display.CellWindow.answers(d);
            if (!can && d != null && !d.isBlank()) { // once a session, in the agent's log: why no file shows a window
                System.err.println(
                        "isola: the session's DISPLAY=" + d + " does not answer: files open without windows");
            }
            try {
                can = can && ServiceWindows.describeDesktop(new Message()) != null;
            } catch (RuntimeException e) { // a DISPLAY that does not answer: opens as without one
                System.err.println("isola: " + e.getMessage());
                can = false;
            }
            canShowWindows = can;
        }
        return canShowWindows;
    }

    private static void drain(int fd, ByteArrayOutputStream into) {
        try {
            for (byte[] b = Libc.read(fd, 8192); b.length > 0; b = Libc.read(fd, 8192)) {
                synchronized (into) {
                    if (into.size() < 1 << 20) { // a handler that floods its stderr does not fill the agent
                        into.writeBytes(b);
                    }
                }
            }
        } catch (RuntimeException e) {
            // the read end closed under us: what was read is kept
        } finally {
            Libc.close(fd);
        }
    }

    /** What the daemon takes: an absolute, normal path, or the link itself. */
    static String target(String t) {
        if (t.startsWith("file:")) {
            URI u = URI.create(t);
            if (u.getHost() != null && !u.getHost().isEmpty() && !u.getHost().equals("localhost")) {
                throw new IllegalArgumentException(t + " names a file on another machine: copy it here first");
            }
            return Path.of(u.getPath()).normalize().toString();
        }
        if (t.startsWith("http://") || t.startsWith("https://")) {
            return t;
        }
        if (t.contains("://")) {
            throw new IllegalArgumentException(
                    t + ": Isola opens files, file:// and http(s) links; this scheme is not one");
        }
        Path p = Path.of(t);
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException(t + " is not an absolute path: the desktop passes whole paths");
        }
        return p.normalize().toString();
    }

    private static String summary(String target, Outcome o) {
        String name = target;
        int slash = name.replaceAll("/+$", "").lastIndexOf('/');
        if (slash >= 0 && !target.startsWith("http")) {
            name = name.substring(slash + 1);
        }
        return (o.exit != 0 ? "Isola did not open " : "Isola opened ") + name;
    }
}
