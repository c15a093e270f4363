package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's desktop steps as a new user would take them: the service runs as root, and a plain user (uid 1000, no
 * groups) installs Isola's desktop entry in their own HOME and double-clicks (xdg-open) a PDF only they may read.
 * Their session's bus starts their agent, the daemon serves them as themselves, and their notification server
 * (dunst, under Xvfb) hears what was kept.
 */
@Tag("root")
@Tag("kernel")
class DesktopPlainUserTest {
    private static final int UID = 1000;

    @Test
    void aPlainUserInstallsTheEntryAndADoubleClickOpensTheirPdfInACell() throws Exception {
        Path dir = Files.createTempDirectory("isola-desktop-user");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path policy = Files.writeString(dir.resolve("policy.toml"), """
                version = 1
                [level.untrusted]
                persistence = "quarantine"
                [level.untrusted.handlers]
                "application/pdf" = ["/bin/sh", "-c", "head -c 8 {file} > {output}/proof.txt"]
                [level.untrusted.window-handlers]
                """);
        Path isola = DaemonFixture.readableLauncher(dir.resolve("isola"));
        List<String> asUser = List.of("/usr/bin/setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups", "--");
        try (DaemonFixture daemon = new DaemonFixture(Map.of("ISOLA_POLICY", policy.toString()));
                DesktopSession session =
                        new DesktopSession(dir, Map.of("ISOLA_SOCKET", daemon.socket.toString()), asUser, UID)) {
            session.env.put("ISOLA_COMMAND", isola.toString());
            session.env.put("ISOLA_POLICY", policy.toString());
            Cli.Result install = session.run(isola.toString(), "desktop", "install");
            assertThat(install.code()).as(install.err()).isZero();
            assertThat(Files.getAttribute(session.home.resolve(".config/mimeapps.list"), "unix:uid"))
                    .isEqualTo(UID);

            Path pdf = session.home.resolve("letter.pdf");
            Files.writeString(pdf, "%PDF-1.4\n%%EOF\n");
            Files.setAttribute(pdf, "unix:uid", UID);
            Files.setPosixFilePermissions(pdf, PosixFilePermissions.fromString("rw-------"));
            Cli.Result open = session.run("xdg-open", pdf.toString());
            assertThat(open.code()).as(open.err()).isZero();

            DesktopSession.waitUntil(
                    () -> session.notifications().contains("Isola opened letter.pdf"), 90, "no notification");
            String kept = session.notifications().replaceAll("(?s).*isola: kept (\\S+/proof.txt) .*", "$1");
            // the handler read the person's file in its cell; what it wrote came out owned by them, not by root
            assertThat(Files.readString(Path.of(kept))).isEqualTo("%PDF-1.4");
            assertThat(Files.getAttribute(Path.of(kept), "unix:uid")).isEqualTo(UID);
            // the bus started the agent for this user: the daemon saw them on its socket (SO_PEERCRED)
            assertThat(Files.readString(session.busLog))
                    .contains("Successfully activated service 'io.isola.Isola'")
                    .contains("(uid=" + UID + " ");
        } finally {
            Cleanup.deleteTree(dir);
        }
    }
}
