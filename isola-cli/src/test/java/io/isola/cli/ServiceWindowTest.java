package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.display.WindowLook;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Windows of cells the service runs: the root daemon starts the cell with its own display and hands the person's own
 * process (the command, or the session's agent after a double-click) what it needs to draw it; the daemon never
 * connects to a display. In a session with a display a plain open shows the level's window handler (mupdf for a PDF,
 * the built-in table), as a double-click does, although the policy's handler for the type is a text tool. Real
 * daemon, real cells, real mupdf and dillo, a real session display (Xvfb) read pixel by pixel.
 */
@Tag("root")
@Tag("kernel")
class ServiceWindowTest {
    private static final int UID = 1000, OTHER = 1001;
    static Path dir, policy, isola;
    static DaemonFixture daemon;
    static io.isola.net.TestNetwork net;
    static io.isola.net.FakeDns dns;
    static io.isola.net.NsHttpServer web;

    @BeforeAll
    static void setUp() throws Exception {
        // a web host of the test's own, in a network namespace it makes; its name resolves only through fake DNS
        net = io.isola.net.TestNetwork.create();
        org.junit.jupiter.api.Assumptions.assumeTrue(net != null, "needs root and iproute2 to make the test hosts");
        dns = new io.isola.net.FakeDns().name("www.example.com", net.internet);
        web = new io.isola.net.NsHttpServer(net.listen(net.internet, 80), "the web", false);
        dir = Files.createTempDirectory("isola-service-window");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        policy = Files.writeString(dir.resolve("policy.toml"), """
                version = 1
                [level.untrusted]
                persistence = "quarantine"
                [level.untrusted.handlers]
                "application/pdf" = ["pdftotext", "{file}", "-"]
                "x-scheme-handler/http" = ["curl", "-fsS", "-m", "20", "-o", "{output}/{name}", "{url}"]
                "*" = ["file", "{file}"]
                [network]
                treat-as-public = ["198.51.100.0/24"]
                ports = [80]
                """);
        isola = DaemonFixture.readableLauncher(dir.resolve("isola"));
        daemon = new DaemonFixture(Map.of(
                "ISOLA_POLICY",
                policy.toString(),
                "ISOLA_DNS",
                "127.0.0.1:" + dns.address().getPort()));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (net != null) {
            web.close();
            dns.close();
            net.close();
        }
        Cleanup.deleteTree(dir);
    }

    @Test
    void aPlainUsersOwnProcessDrawsTheWindowOfTheCellTheServiceRunsAndClosingItEndsTheCell() throws Exception {
        Path sessionDir = Files.createDirectories(dir.resolve("user-session"));
        List<String> asUser = List.of("/usr/bin/setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups", "--");
        try (DesktopSession session =
                new DesktopSession(sessionDir, Map.of("ISOLA_SOCKET", daemon.socket.toString()), asUser, UID)) {
            String name = "letter-" + System.nanoTime() + ".pdf";
            Path pdf = Files.copy(Path.of("../examples/invoice.pdf").toAbsolutePath(), session.home.resolve(name));
            Files.setAttribute(pdf, "unix:uid", UID);
            Files.setPosixFilePermissions(pdf, PosixFilePermissions.fromString("rw-------"));
            session.env.put("ISOLA_SOCKET", daemon.socket.toString());
            session.env.put("ISOLA_DEBUG", "1"); // a client that asks for no window says why in the log
            Path log = sessionDir.resolve("open.log");
            Process open = session.builder(List.of(isola.toString(), "open", pdf.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try {
                String title = "[untrusted] mupdf: " + name + " — Isola cell";
                DesktopSession.waitUntil(
                        () -> !windowsNamed(session, name).isEmpty(),
                        60,
                        () -> "no window: " + Files.readString(log) + "\ndaemon: " + Files.readString(daemon.log));
                assertThat(session.xdotool(
                                        "getwindowname",
                                        windowsNamed(session, name).getFirst())
                                .strip())
                        .isEqualTo(title);
                // the page is on the person's screen inside Isola's red border: mupdf drew it in the cell
                DesktopSession.waitUntil(() -> pageInBorder(session), 60, "no page in the window");

                // the cell is the service's: listed by ps for its user, while the service has no display at all
                Cli.Result ps = session.run(isola.toString(), "ps");
                assertThat(ps.out()).contains("mupdf");
                assertThat(Files.readString(Path.of("/proc/" + daemon.daemon.pid() + "/environ")))
                        .doesNotContain("DISPLAY=");
                // the screen's folder is mounted nowhere: the person's client reaches it by the descriptor the
                // service handed it, and another user cannot reach it through that client either
                assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain("isola-display");
                Path seen = screenThrough(open.toHandle());
                assertThat(seen).as("the client holds the cell's screen folder").isNotNull();
                Process peek = new ProcessBuilder(
                                "setpriv",
                                "--reuid=" + OTHER,
                                "--regid=" + OTHER,
                                "--clear-groups",
                                "head",
                                "-c",
                                "16",
                                seen.toString())
                        .redirectErrorStream(true)
                        .start();
                assertThat(new String(peek.getInputStream().readAllBytes())).contains("Permission denied");
                assertThat(peek.waitFor()).isNotZero();

                // closing the window (its shortcut, typed where the person's pointer is) ends the cell
                session.closeWindow("untrusted");
                assertThat(open.waitFor(30, TimeUnit.SECONDS))
                        .as(() -> read(log))
                        .isTrue();
                assertThat(open.exitValue()).as(read(log)).isZero();
                assertThat(read(log)).contains("is application/pdf, untrusted").doesNotContain("Exception");
                DesktopSession.waitUntil(() -> processesNaming(name) == 0, 10, "the cell's processes remain");
                assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(name);
                assertThat(session.run(isola.toString(), "ps").out()).doesNotContain("mupdf");
                DesktopSession.waitUntil(
                        () -> windowsNamed(session, name).isEmpty(), 10, "the window stayed after its cell ended");
            } finally {
                open.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aDoubleClickOnTheDesktopShowsTheCellsWindowThroughTheSessionAgent() throws Exception {
        Path sessionDir = Files.createDirectories(dir.resolve("root-session"));
        try (DesktopSession session = installedSession(sessionDir)) {
            String name = "report-" + System.nanoTime() + ".pdf";
            Path pdf = Files.copy(Path.of("../examples/invoice.pdf").toAbsolutePath(), session.home.resolve(name));

            Cli.Result click = session.run("xdg-open", pdf.toString());
            assertThat(click.code()).as(click.err()).isZero();
            DesktopSession.waitUntil(
                    () -> !windowsNamed(session, name).isEmpty(),
                    90,
                    () -> "no window after the double-click: " + Files.readString(daemon.log) + "\nbus: "
                            + Files.readString(session.busLog));
            DesktopSession.waitUntil(() -> pageInBorder(session), 60, "no page in the window");
            assertThat(Files.readString(daemon.state.resolve("audit.jsonl")))
                    // a cell started for it, or a viewer started before the click and handed the file (docs/windows.md)
                    .containsPattern("\"cell.(created|handed)\".*mupdf.*" + name);

            session.closeWindow("untrusted");
            DesktopSession.waitUntil(() -> processesNaming(name) == 0, 30, "the cell's processes remain");
            DesktopSession.waitUntil(
                    () -> windowsNamed(session, name).isEmpty(), 10, "the window stayed after its cell ended");
            // a window closed by the person is how the task ends: nothing to notify
            assertThat(session.notifications()).doesNotContain("Isola did not open " + name);
        }
    }

    @Test
    void aLinkOpenedInADesktopSessionShowsInTheLevelsBrowserOnTheLevelsNetwork() throws Exception {
        Path sessionDir = Files.createDirectories(dir.resolve("link-session"));
        try (DesktopSession session = new DesktopSession(
                sessionDir, Map.of("ISOLA_SOCKET", daemon.socket.toString(), "ISOLA_POLICY", policy.toString()))) {
            session.env.put("ISOLA_SOCKET", daemon.socket.toString());
            session.env.put("ISOLA_DEBUG", "1"); // a client that asks for no window says why in the log
            String name = "notes-" + System.nanoTime() + ".html";
            Path log = sessionDir.resolve("open.log");
            Process open = session.builder(List.of(isola.toString(), "open", "http://www.example.com/" + name))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try {
                // the level's browser in a cell the service runs, reaching the test's own host through the proxy,
                // in a window this session's client draws
                DesktopSession.waitUntil(
                        () -> !windowsNamed(session, "dillo: www.example.com").isEmpty(),
                        90,
                        () -> "no window: " + Files.readString(log) + "\ndaemon: " + Files.readString(daemon.log));
                DesktopSession.waitUntil(
                        () -> web.requests.stream().anyMatch(r -> r.contains("/" + name + " ")),
                        60,
                        "the browser's request never reached the test host");
                assertThat(Files.readString(daemon.state.resolve("audit.jsonl")))
                        .contains("\"connection.allowed\"");
                session.closeWindow("untrusted");
                assertThat(open.waitFor(30, TimeUnit.SECONDS))
                        .as(() -> read(log))
                        .isTrue();
                assertThat(open.exitValue()).as(read(log)).isZero();
                DesktopSession.waitUntil(() -> processesNaming(name) == 0, 10, "the cell's processes remain");
            } finally {
                open.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aDisplayThatDoesNotAnswerMeansTheHandlerRunsWithoutAWindowNotAnError() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes-" + System.nanoTime() + ".txt"), "call the bank\n");
        Map<String, String> env = new HashMap<>(daemon.env());
        env.put("DISPLAY", ":9917"); // no X server there: the open did not ask for a window
        env.put("ISOLA_POLICY", policy.toString());
        for (String where : List.of("--no-daemon", "through the service")) {
            List<String> args = where.equals("--no-daemon")
                    ? List.of("open", "--no-daemon", notes.toString())
                    : List.of("open", notes.toString());
            Cli.Result r = daemon.clients.run(env, null, args.toArray(String[]::new));
            assertThat(r.code()).as(where + ": " + r.err()).isZero();
            assertThat(r.out()).as(where).contains("ASCII text");
            // ...while asking for one is a clear line
            Cli.Result asked = daemon.clients.run(env, null, "open", "--window", notes.toString());
            assertThat(asked.code()).isEqualTo(2);
            assertThat(asked.err())
                    .contains("isola: a window needs your desktop's display")
                    .doesNotContain("Exception");
        }
    }

    /**
     * After a person's window, the service keeps a display ready for their next (docs/windows.md): a cell of its own,
     * which nothing may outlive. Killed with SIGKILL, the service has no chance to end it: the kernel does (bwrap's
     * --die-with-parent), at once.
     */
    @Test
    void theDisplayTheServiceKeepsReadyForTheNextWindowGoesWithTheServiceEvenWhenItIsKilled() throws Exception {
        Path sessionDir = Files.createDirectories(dir.resolve("killed-session"));
        try (DaemonFixture own = new DaemonFixture(Map.of("ISOLA_POLICY", policy.toString()));
                DesktopSession session =
                        new DesktopSession(sessionDir, Map.of("ISOLA_SOCKET", own.socket.toString()))) {
            String name = "next-" + System.nanoTime() + ".pdf";
            Path pdf = Files.copy(Path.of("../examples/invoice.pdf").toAbsolutePath(), session.home.resolve(name));
            session.env.put("ISOLA_SOCKET", own.socket.toString());
            Path log = sessionDir.resolve("open.log");
            Process open = session.builder(List.of(isola.toString(), "open", "--window", pdf.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try {
                DesktopSession.waitUntil(() -> pageInBorder(session), 60, () -> "no page: " + read(log));
                session.closeWindow("untrusted");
                assertThat(open.waitFor(30, TimeUnit.SECONDS))
                        .as(() -> read(log))
                        .isTrue();
            } finally {
                open.destroyForcibly().waitFor();
            }
            // no window is open, yet the service runs an X server of a cell: the next window's
            List<ProcessHandle> prepared = new java.util.ArrayList<>();
            DesktopSession.waitUntil(
                    () -> {
                        prepared.clear();
                        own.daemon
                                .descendants()
                                .filter(ServiceWindowTest::namesAScreenFolder)
                                .forEach(prepared::add);
                        return prepared.stream()
                                .anyMatch(p -> p.info().command().orElse("").endsWith("Xvfb"));
                    },
                    10,
                    () -> "no display prepared: " + read(own.log));
            own.daemon.destroyForcibly().waitFor(); // SIGKILL
            DesktopSession.waitUntil(
                    () -> prepared.stream().noneMatch(ProcessHandle::isAlive),
                    2,
                    "the prepared display outlived the killed service");
        }
    }

    /**
     * {@code isola open} typed in a terminal of the session: the {@code isola} launcher (the real bin/isola, POSIX sh)
     * hands it to the session's agent with the terminal's streams; the agent draws the window, the service runs the
     * cell, and no JVM starts for the command. The first finds no agent and calls the bus, which starts one; once it
     * runs, the launcher's small client reaches it on its own socket, with the streams themselves, so that a file as
     * stdout no longer needs a JVM either. Ctrl-C in the terminal (SIGINT to its process group) ends the cell and the
     * window either way, as it does for the JVM client.
     */
    @Test
    void anOpenTypedInTheSessionsTerminalIsDrawnByItsAgentWithoutAJvmAndCtrlCEndsIt() throws Exception {
        try (DesktopSession session = installedSession(Files.createDirectories(dir.resolve("terminal-session")))) {
            // a terminal: its own session and process group; stdout and stderr are pipes (a terminal's are a tty)
            typedAndInterrupted(session, "typed-", List.of(), "/dbus-send");
            assertThat(session.runtime.resolve("isola-agent.sock"))
                    .as("the agent's own socket, once it runs")
                    .exists();
            // stdout a file, as `> log` makes it: the bus's route would start a JVM for it (the agent could not open
            // it again with the shell's offset); its own socket takes the descriptor itself
            typedAndInterrupted(session, "logged-", List.of("> logged.txt"), "/perl");

            // what the terminal shows and the exit code are the JVM client's: a file that is not there
            Path missing = session.home.resolve("gone-" + System.nanoTime() + ".pdf");
            Process agent = session.builder(List.of(LAUNCHER.toString(), "open", missing.toString()))
                    .start();
            String said = new String(agent.getErrorStream().readAllBytes());
            assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Cli.Result jvm = session.run(isola.toString(), "open", missing.toString()); // stdout a file: a JVM
            assertThat(jvm.code()).as(jvm.err()).isNotZero();
            assertThat(agent.exitValue()).as(said).isEqualTo(jvm.code());
            assertThat(said).isEqualTo(jvm.err()).contains(missing.getFileName().toString());
        }
    }

    /**
     * The agent's socket lies in the person's runtime folder (0700) and is 0600 itself; behind those, the agent
     * serves only a peer the kernel says is its own user. With both opened to everyone, another user's request, with
     * their streams and a file of theirs, is closed unanswered: nothing starts, no window shows.
     */
    @Test
    void theAgentsSocketServesOnlyItsOwnUserEvenWhereAnotherCanReachIt() throws Exception {
        try (DesktopSession session = installedSession(Files.createDirectories(dir.resolve("door-session")))) {
            Cli.Result started = session.run("sh", "-c", atLogin(session)); // the agent, as the desktop starts it
            assertThat(started.code()).as(started.err()).isZero();
            Path door = session.runtime.resolve("isola-agent.sock");
            DesktopSession.waitUntil(() -> Files.exists(door), 30, "the agent made no socket");
            Files.setPosixFilePermissions(session.runtime, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(door, PosixFilePermissions.fromString("rw-rw-rw-"));
            Path client = Files.copy(
                    Path.of("../bin/service-call").toAbsolutePath(),
                    dir.resolve("service-call"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            String name = "theirs-" + System.nanoTime() + ".pdf";
            Path pdf = Files.copy(Path.of("../examples/invoice.pdf").toAbsolutePath(), dir.resolve(name));
            // what the client runs when it could not even send: says so, and starts nothing
            Path fallBack =
                    Files.writeString(dir.resolve("fall-back"), "#!/bin/sh\necho 'isola: fell back' >&2\nexit 3\n");
            Files.setPosixFilePermissions(fallBack, PosixFilePermissions.fromString("rwxr-xr-x"));
            Process other = new ProcessBuilder(
                            "setpriv",
                            "--reuid=" + OTHER,
                            "--regid=" + OTHER,
                            "--clear-groups",
                            "--",
                            "env",
                            "DISPLAY=" + session.env.get("DISPLAY"),
                            "/usr/bin/perl",
                            client.toString(),
                            "--agent",
                            door.toString(),
                            fallBack.toString(),
                            "open",
                            "--window",
                            pdf.toString())
                    .directory(dir.toFile())
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("theirs.log").toFile())
                    .start();
            boolean answered = other.waitFor(30, TimeUnit.SECONDS); // a request served would wait for its window
            other.destroyForcibly().waitFor();
            String said = Files.readString(dir.resolve("theirs.log"));
            assertThat(answered)
                    .as("another user's request is not served: " + said)
                    .isTrue();
            // closed before or after it sent: either way not served
            assertThat(other.exitValue() + " " + said)
                    .matches("(?s)(125 .*agent of this session went away before it answered.*|3 isola: fell back\\n)");
            assertThat(windowsNamed(session, name)).isEmpty();
            assertThat(Files.readString(daemon.state.resolve("audit.jsonl"))).doesNotContain(name);
        }
    }

    /**
     * At login the desktop runs the autostart entry install wrote: the bus starts the agent then, and a person's first
     * double-click finds it running. A click that comes at the same time finds the same agent: there is one. The agent
     * asks the service for a display of its desktop's size, so that the first window starts on one too.
     */
    @Test
    void theAutostartEntryStartsTheAgentAtLoginOnceAndTheServicePreparesADisplayBeforeAnyClick() throws Exception {
        try (DaemonFixture own = new DaemonFixture(Map.of("ISOLA_POLICY", policy.toString()));
                DesktopSession session = installedSession(Files.createDirectories(dir.resolve("login-session")), own)) {
            String exec = atLogin(session);
            assertThat(agentOwnsItsName(session)).as("no agent before login").isFalse();
            Cli.Result login = session.run("sh", "-c", exec);
            Cli.Result click = session.run("sh", "-c", exec); // the same call, as a first click makes at once
            assertThat(login.code()).as(login.err()).isZero();
            assertThat(click.code()).as(click.err()).isZero();
            DesktopSession.waitUntil(
                    () -> agentOwnsItsName(session), 60, () -> "no agent: " + Files.readString(session.busLog));
            assertThat(Files.readString(session.busLog))
                    .containsOnlyOnce("Activating service name='io.isola.Isola'")
                    .contains("Successfully activated service 'io.isola.Isola'");
            // no window was asked for, yet the service runs the X server of a display cell: the first window's
            DesktopSession.waitUntil(
                    () -> own.daemon
                            .descendants()
                            .filter(ServiceWindowTest::namesAScreenFolder)
                            .anyMatch(p -> p.info().command().orElse("").endsWith("Xvfb")),
                    60,
                    () -> "no display prepared at login: " + read(own.log) + "\nbus: " + read(session.busLog));
        }
    }

    /** What the desktop runs at login: the Exec line of the autostart entry install wrote. */
    private static String atLogin(DesktopSession session) throws Exception {
        return Files.readString(session.home.resolve(".config/autostart/io.isola.Isola.Agent.desktop"))
                .lines()
                .filter(l -> l.startsWith("Exec="))
                .findFirst()
                .orElseThrow()
                .substring("Exec=".length());
    }

    private static boolean agentOwnsItsName(DesktopSession session) throws Exception {
        return session.run(
                        "dbus-send",
                        "--session",
                        "--print-reply=literal",
                        "--dest=org.freedesktop.DBus",
                        "/org/freedesktop/DBus",
                        "org.freedesktop.DBus.NameHasOwner",
                        "string:io.isola.Isola")
                .out()
                .contains("true");
    }

    /**
     * Runs {@code isola open --window NAME} in a terminal of {@code session} (with {@code redirects} in its shell),
     * waits for the page in its window while the command runs {@code route} and no JVM, then Ctrl-C: exit code 130,
     * the cell and the window gone.
     */
    private void typedAndInterrupted(DesktopSession session, String prefix, List<String> redirects, String route)
            throws Exception {
        String name = prefix + System.nanoTime() + ".pdf";
        Files.copy(Path.of("../examples/invoice.pdf").toAbsolutePath(), session.home.resolve(name));
        String shell = "exec \"$0\" open --window \"$1\" " + String.join(" ", redirects);
        Process open = session.builder(List.of("setsid", "sh", "-c", shell, LAUNCHER.toString(), name))
                .directory(session.home.toFile())
                .start();
        try {
            DesktopSession.waitUntil(
                    () -> !windowsNamed(session, name).isEmpty() || !open.isAlive(),
                    60,
                    () -> "no window: " + Files.readString(daemon.log) + "\nbus: " + Files.readString(session.busLog));
            if (!open.isAlive()) {
                throw new AssertionError(
                        "the command ended: " + new String(open.getErrorStream().readAllBytes()));
            }
            DesktopSession.waitUntil(() -> pageInBorder(session), 60, "no page in the window");
            assertThat(java.util.stream.Stream.concat(java.util.stream.Stream.of(open.toHandle()), open.descendants())
                            .map(h -> h.info().command().orElse("")))
                    .as("what the command runs while its window shows")
                    .noneMatch(c -> c.endsWith("/java"))
                    .anyMatch(c -> c.endsWith(route));
            assertThat(Files.readString(daemon.state.resolve("audit.jsonl")))
                    // a cell started for it, or a viewer started before the click and handed the file (docs/windows.md)
                    .containsPattern("\"cell.(created|handed)\".*mupdf.*" + name);

            new ProcessBuilder("kill", "-INT", "--", "-" + open.pid()).start().waitFor();
            assertThat(open.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(open.exitValue()).isEqualTo(130);
            DesktopSession.waitUntil(() -> processesNaming(name) == 0, 10, "the cell outlived Ctrl-C");
            DesktopSession.waitUntil(() -> windowsNamed(session, name).isEmpty(), 10, "the window outlived Ctrl-C");
        } finally {
            open.destroyForcibly().waitFor();
        }
    }

    /** The real launcher, bin/isola: the route through the agent is its own, before any JVM. */
    private static final Path LAUNCHER =
            Path.of("../bin/isola").toAbsolutePath().normalize();

    /** A root desktop session with Isola's desktop entries installed: its bus starts the agent on first use. */
    private static DesktopSession installedSession(Path sessionDir) throws Exception {
        return installedSession(sessionDir, daemon);
    }

    /** The same, served by {@code service}. */
    private static DesktopSession installedSession(Path sessionDir, DaemonFixture service) throws Exception {
        DesktopSession session = new DesktopSession(
                sessionDir, Map.of("ISOLA_SOCKET", service.socket.toString(), "ISOLA_POLICY", policy.toString()));
        session.env.put("ISOLA_SOCKET", service.socket.toString()); // the terminal's commands find the service too
        Map<String, String> env = new HashMap<>(session.env);
        env.put("ISOLA_COMMAND", isola.toString());
        env.put("ISOLA_POLICY", policy.toString());
        env.put("ISOLA_STATE_DIR", session.home.resolve(".local/state/isola").toString());
        Cli.Result install = service.clients.run(env, null, "desktop", "install");
        if (install.code() != 0) {
            session.close();
        }
        assertThat(install.code()).as(install.err()).isZero();
        return session;
    }

    private static boolean namesAScreenFolder(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + p.pid() + "/cmdline")))
                    .contains(io.isola.display.CellDisplay.CELL_DIR);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static List<String> windowsNamed(DesktopSession session, String name) throws Exception {
        // xdotool takes a POSIX regular expression: the names here are letters, digits, ' ', ':', '-' and '.'
        return session.xdotool("search", "--name", name.replace(".", "\\."))
                .lines()
                .filter(l -> l.matches("\\d+"))
                .toList();
    }

    /** A page inside the border: mostly white paper with dark print on it. */
    private static boolean pageInBorder(DesktopSession session) throws InterruptedException {
        int[] s = session.screen();
        int[] at = session.border("untrusted");
        if (at == null) {
            return false;
        }
        int w = DesktopSession.WIDTH, white = 0, dark = 0;
        int x0 = at[0] + WindowLook.BORDER, y0 = at[1] + WindowLook.BORDER;
        for (int y = y0; y < Math.min(y0 + 720, DesktopSession.HEIGHT); y++) {
            for (int x = x0; x < Math.min(x0 + 1280, w); x++) {
                int c = s[y * w + x];
                white += c == 0xffffff ? 1 : 0;
                dark += ((c >> 16 & 0xff) + (c >> 8 & 0xff) + (c & 0xff)) < 200 ? 1 : 0;
            }
        }
        return white > 10_000 && dark > 200;
    }

    /** The cell's screen file as a descendant of {@code client} (the JVM under setpriv) reaches it, or null. */
    private static Path screenThrough(ProcessHandle client) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(client), client.descendants())
                .flatMap(h -> {
                    try (var fds = Files.list(Path.of("/proc/" + h.pid() + "/fd"))) {
                        return fds.map(fd -> fd.resolve("Xvfb_screen0")).toList().stream();
                    } catch (java.io.IOException e) {
                        return java.util.stream.Stream.empty();
                    }
                })
                .filter(Files::isRegularFile)
                .findFirst()
                .orElse(null);
    }

    private static long processesNaming(String marker) throws Exception {
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> {
                        try {
                            return new String(Files.readAllBytes(p.resolve("cmdline"))).contains(marker);
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    })
                    .count();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
