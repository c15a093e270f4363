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

    public DesktopOpen(Map<String, String> env) {
        this.env = env;
        this.notifier = new Notifier(env);
    }

    /** Opens {@code target} (a path, a file:// URI or an http(s) link) in a cell; tells the person when it matters. */
    public Outcome open(String target, boolean view) {
        Outcome o = request(target, view);
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
        return o;
    }

    private Outcome request(String target, boolean view) {
        String named;
        try {
            named = target(target);
        } catch (IllegalArgumentException e) {
            return new Outcome(2, List.of("isola: " + e.getMessage()), "");
        }
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
        try (client) {
            // stdout: the agent's own, where a handler's text output goes (its log); stderr: the report
            reply = client.call(
                    ServiceClient.request(Protocol.OPEN)
                            .add(Protocol.TARGET, named)
                            .add(Protocol.VIEW, Boolean.toString(view)),
                    in,
                    1,
                    pipe[1]);
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
