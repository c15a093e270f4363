package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.net.FakeDns;
import io.isola.net.NsHttpServer;
import io.isola.net.TestNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The desktop path end to end, with the real programs: {@code isola desktop install} under a test HOME, then
 * xdg-open (xdg-utils 1.1.3, generic desktop: it runs the entry's Exec line) of a PDF and of an https link. The
 * launcher hands them over the session bus to the agent the bus starts, the agent to a real Isola daemon, the
 * daemon to a cell; the evidence is the daemon's audit log, the handler's output kept from its cell, the TLS host
 * the cell reached, and the Notify calls that reached dunst. The link's host resolves (fake DNS on loopback, through
 * ISOLA_DNS) to a test host in a network namespace this test makes: nothing is sent anywhere else.
 */
@org.junit.jupiter.api.Tag("kernel")
class DesktopCliTest {
    static Path dir;
    static TestNetwork net;
    static FakeDns dns;
    static NsHttpServer tls;
    static DaemonFixture daemon;
    static DesktopSession session;
    static Path starts;

    @BeforeAll
    static void setUp() throws Exception {
        net = TestNetwork.create();
        if (net == null) {
            return;
        }
        dns = new FakeDns().name("www.example.com", net.internet);
        tls = new NsHttpServer(net.listen(net.internet, 443), "tls", true);
        dir = Files.createTempDirectory(
                Files.createDirectories(Path.of("target").toAbsolutePath()), "desktop");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path policy = Files.writeString(dir.resolve("policy.toml"), """
                version = 1
                [level.untrusted]
                persistence = "quarantine"
                [level.untrusted.handlers]
                # the file's name as an argument, never as script text: a name may hold quotes and brackets
                "application/pdf" = ['/bin/sh', '-c', 'echo opened in a cell: $(head -c 8 "$1") > "$2"/proof.txt', 'sh', '{file}', '{output}']
                "x-scheme-handler/https" = ["curl", "-fsS", "-m", "20", "-o", "{output}/{name}", "{url}"]
                # on this desktop the handlers above run, not a viewer in a window: a handler's output is the evidence
                [level.untrusted.window-handlers]
                [network]
                treat-as-public = ["198.51.100.0/24"]
                """);
        daemon = new DaemonFixture(Map.of(
                "ISOLA_POLICY",
                policy.toString(),
                "ISOLA_DNS",
                "127.0.0.1:" + dns.address().getPort()));
        // How the desktop runs isola here: the test's classes, and a line for each JVM started
        starts = dir.resolve("jvm-starts.log");
        Path isola = dir.resolve("isola");
        Files.writeString(isola, """
                #!/bin/sh
                echo "$*" >> %s
                exec %s --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:-UsePerfData -cp %s %s "$@"
                """.formatted(
                        starts,
                        Path.of(System.getProperty("java.home"), "bin", "java"),
                        System.getProperty("java.class.path"),
                        Main.class.getName()));
        Files.setPosixFilePermissions(isola, PosixFilePermissions.fromString("rwxr-xr-x"));
        session = new DesktopSession(
                dir, Map.of("ISOLA_SOCKET", daemon.socket.toString(), "ISOLA_POLICY", policy.toString()));
        Map<String, String> env = new HashMap<>(session.env);
        env.put("ISOLA_COMMAND", isola.toString());
        env.put("ISOLA_POLICY", policy.toString());
        env.put("ISOLA_STATE_DIR", session.home.resolve(".local/state/isola").toString());
        Cli.Result r = daemon.clients.run(env, null, "desktop", "install");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Isola is now the default for 2 types and schemes");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (net == null) {
            return;
        }
        if (session != null) {
            session.close();
        }
        if (daemon != null) {
            daemon.close();
        }
        tls.close();
        dns.close();
        net.close();
        Cleanup.deleteTree(dir);
    }

    private static void needsHosts() {
        Assumptions.assumeTrue(net != null, "needs root and iproute2 to make the test hosts");
    }

    private String audit() throws Exception {
        return Files.readString(daemon.state.resolve("audit.jsonl"));
    }

    @Test
    void xdgOpenOfAPdfEndsInACellAndTheKeptOutputIsNotified() throws Exception {
        needsHosts();
        Path downloads = Files.createDirectories(session.home.resolve("Downloads"));
        Path pdf = Files.writeString(downloads.resolve("invoice.pdf"), "%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n");
        assertThat(session.run("xdg-mime", "query", "default", "application/pdf")
                        .out())
                .isEqualTo("io.isola.Isola.desktop\n");

        Cli.Result first = session.run("xdg-open", pdf.toString());
        assertThat(first.code()).as(first.err()).isZero();
        DesktopSession.waitUntil(
                () -> session.notifications().contains("invoice.pdf"), 90, "no notification for invoice.pdf");
        Cli.Result second = session.run("xdg-open", pdf.toString());
        assertThat(second.code()).as(second.err()).isZero();
        DesktopSession.waitUntil(
                () -> session.notifications().split("Isola opened invoice.pdf").length > 2,
                60,
                "no second notification");

        // in cells: the daemon's audit log has a cell for each open, running the policy's PDF handler on its copy
        assertThat(audit().lines().filter(l -> l.contains("\"cell.created\"") && l.contains("/in/invoice.pdf")))
                .hasSize(2);
        // the handler's output, kept from its cell in quarantine (as each notification names it), is what it wrote
        List<String> kept = java.util.regex.Pattern.compile(
                        "Isola opened invoice\\.pdf\"\n\\s+string \"[^\"]*?isola: kept (\\S+/proof\\.txt) ")
                .matcher(session.notifications())
                .results()
                .map(m -> m.group(1))
                .distinct()
                .toList();
        assertThat(kept).hasSize(2);
        for (String k : kept) {
            assertThat(Files.readString(Path.of(k))).isEqualTo("opened in a cell: %PDF-1.4\n");
        }
        // the bus started the agent once; every open went over the bus, and no open started a JVM of its own
        assertThat(Files.readAllLines(starts))
                .filteredOn("desktop agent"::equals)
                .hasSize(1);
        assertThat(Files.readAllLines(starts)).noneMatch(l -> l.contains("invoice.pdf"));
        // the notification says what the terminal would: the same lines as `isola open` through the same daemon
        Cli.Result terminal = daemon.run("open", pdf.toString());
        assertThat(terminal.code()).as(terminal.err()).isZero();
        String said = terminal.err().strip().replaceAll("quarantine/t[0-9a-f]+/", "quarantine/T/");
        assertThat(said).contains("isola: kept ").contains("proof.txt (quarantine, tainted)");
        assertThat(session.notifications().replaceAll("quarantine/t[0-9a-f]+/", "quarantine/T/"))
                .contains("string \"Isola opened invoice.pdf\"\n   string \"" + said + "\"");
        assertThat(Files.readString(session.busLog)).contains("Successfully activated service 'io.isola.Isola'");
    }

    /**
     * The launcher hands most names to the agent with dbus-send, and names dbus-send cannot write (a comma splits its
     * array) with gdbus: both reach a cell, neither starts a JVM.
     */
    @Test
    void namesWithCommasQuotesAndAccentsOpenInCellsWithoutAJvm() throws Exception {
        needsHosts();
        Path downloads = Files.createDirectories(session.home.resolve("Downloads"));
        for (String name : List.of("q3, \"final\" (2).pdf", "ré'sumé.pdf")) {
            Path pdf = Files.writeString(downloads.resolve(name), "%PDF-1.4\n%%EOF\n");
            Cli.Result r = session.run("xdg-open", pdf.toString());
            assertThat(r.code()).as(r.err()).isZero();
            DesktopSession.waitUntil(
                    () -> session.notifications().contains("Isola opened " + name), 90, "no notification for " + name);
            assertThat(audit().lines()
                            .filter(l ->
                                    l.contains("\"cell.created\"") && l.contains("/in/" + name.replace("\"", "\\\""))))
                    .as(name)
                    .isNotEmpty();
            assertThat(Files.readAllLines(starts)).noneMatch(l -> l.contains(name));
        }
    }

    @Test
    void theSafeViewActionMakesASafeCopyAndSaysWhereItIs() throws Exception {
        needsHosts();
        Path notes = Files.writeString(
                Files.createDirectories(session.home.resolve("Documents")).resolve("notes.txt"), "meeting notes\n");
        // what the desktop runs for the entry's "Safe view" action: its Exec line, as written by install
        String exec = Files.readString(session.home.resolve(".local/share/applications/io.isola.Isola.desktop"))
                .lines()
                .filter(l -> l.startsWith("Exec=") && l.contains("--view"))
                .findFirst()
                .orElseThrow()
                .substring("Exec=".length())
                .replace("%U", notes.toString());
        Cli.Result r = session.run(exec.split(" "));
        assertThat(r.code()).as(r.err()).isZero();
        Path safe = notes.resolveSibling("notes.safe.pdf");
        DesktopSession.waitUntil(
                () -> session.notifications().contains("notes.safe.pdf"), 90, "no notification for the safe view");
        assertThat(safe).isRegularFile();
        assertThat(Files.readString(safe, StandardCharsets.ISO_8859_1)).startsWith("%PDF-");
        assertThat(session.notifications()).contains("1 page(s) -> " + safe + " (trusted: rebuilt from pixels");
        // ...and shows the clean copy to read: a viewer in a cell of the copy's own level, in a window drawn here
        DesktopSession.waitUntil(
                () -> session.xdotool("search", "--name", "notes\\.safe\\.pdf")
                        .strip()
                        .matches("\\d+"),
                60,
                "the safe copy was not shown");
        String id = session.xdotool("search", "--name", "notes\\.safe\\.pdf").strip();
        assertThat(session.xdotool("getwindowname", id).strip())
                .isEqualTo("[trusted] mupdf: notes.safe.pdf — Isola cell");
        session.closeWindow("trusted");
        DesktopSession.waitUntil(
                () -> session.xdotool("search", "--name", "notes\\.safe\\.pdf").isBlank(),
                30,
                "the safe copy's window did not close");
        assertThat(Files.readAllLines(starts))
                .filteredOn("desktop agent"::equals)
                .hasSize(1);
        assertThat(Files.readAllLines(starts)).noneMatch(l -> l.contains("notes.txt"));
    }

    @Test
    void withoutASessionBusTheLauncherOpensThroughAJvmOfItsOwn() throws Exception {
        needsHosts();
        Path pdf = Files.writeString(session.home.resolve("offline.pdf"), "%PDF-1.4\n%%EOF\n");
        Path launcher = session.home.resolve(".local/share/isola/isola-open");
        ProcessBuilder pb = session.builder(List.of(launcher.toString(), pdf.toString()));
        pb.environment().remove("DBUS_SESSION_BUS_ADDRESS");
        pb.environment().put("XDG_RUNTIME_DIR", dir.resolve("no-runtime").toString()); // no bus there either
        pb.environment().put("ISOLA_SOCKET", daemon.socket.toString()); // the test's daemon is on a socket of its own
        Path err = dir.resolve("offline.err");
        Process p = pb.redirectErrorStream(true).redirectOutput(err.toFile()).start();
        assertThat(p.waitFor()).as(Files.readString(err)).isZero();
        assertThat(Files.readAllLines(starts)).contains("desktop open -- " + pdf);
        assertThat(Files.readString(err)).contains("isola: kept ", "proof.txt (quarantine, tainted)");
        assertThat(audit().lines().filter(l -> l.contains("\"cell.created\"") && l.contains("opened in a cell")))
                .isNotEmpty();
    }

    @Test
    void xdgOpenOfAnHttpsLinkIsFetchedInACellAndItsFailureNotified() throws Exception {
        needsHosts();
        String url = "https://www.example.com/report.pdf";
        assertThat(session.run("xdg-mime", "query", "default", "x-scheme-handler/https")
                        .out())
                .isEqualTo("io.isola.Isola.desktop\n");

        Cli.Result r = session.run("xdg-open", url);
        assertThat(r.code()).as(r.err()).isZero();
        DesktopSession.waitUntil(
                () -> session.notifications().contains("Isola did not open " + url),
                90,
                "no notification for the link");

        // the cell's curl went through the proxy to the test host: its TLS hello names the link's host
        assertThat(tls.tlsHellos).as(session.notifications()).isNotEmpty();
        assertThat(new String(tls.tlsHellos.getFirst(), StandardCharsets.ISO_8859_1))
                .contains("www.example.com");
        assertThat(audit().lines().filter(l -> l.contains("\"cell.created\"") && l.contains(url)))
                .isNotEmpty();
        // refused or failed: urgent, with Isola's lines as the terminal shows them
        String n = session.notifications();
        String call = n.substring(n.indexOf("Isola did not open " + url));
        assertThat(call)
                .contains("string \"isola: www.example.com is untrusted")
                .contains("byte 2");
    }
}
