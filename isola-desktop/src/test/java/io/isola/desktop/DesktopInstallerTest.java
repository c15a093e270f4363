package io.isola.desktop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.IsolaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Install and uninstall against real files, checked with the real xdg-mime (xdg-utils) under a test HOME. */
class DesktopInstallerTest {
    @TempDir
    Path home;

    Map<String, String> env;
    DesktopPaths paths;

    @BeforeEach
    void setUp() {
        env = new HashMap<>(Map.of(
                "HOME", home.toString(),
                "XDG_DATA_HOME", home.resolve("data").toString(),
                "XDG_CONFIG_HOME", home.resolve("config").toString(),
                "XDG_STATE_HOME", home.resolve("state").toString(),
                "XDG_DATA_DIRS", home.resolve("nodata").toString(),
                "XDG_CONFIG_DIRS", home.resolve("noconfig").toString(),
                "PATH", "/usr/bin:/bin"));
        paths = DesktopPaths.of(env, false);
    }

    /** What the real xdg-mime says is the default for {@code type} under the test HOME. */
    private String xdgDefault(String type) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("xdg-mime", "query", "default", type).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private List<String> install() {
        // a policy with handlers for PDFs, images and https links only
        return new DesktopInstaller(paths)
                .install(
                        "/usr/local/bin/isola",
                        t -> t.equals("application/pdf") || t.startsWith("image/") || t.equals(DesktopTypes.HTTPS));
    }

    @Test
    void installMakesIsolaTheDefaultForWhatThePolicyOpensAndUninstallPutsBackTheEarlierDefaults() throws Exception {
        Files.createDirectories(paths.mimeapps().getParent());
        String before = """
                [Default Applications]
                application/pdf=evince.desktop;
                text/plain=gedit.desktop;
                """;
        Files.writeString(paths.mimeapps(), before);
        // xdg-mime names a default only when its desktop entry exists
        Path apps = Files.createDirectories(paths.entry().getParent());
        for (String app : List.of("evince", "gedit", "eog")) {
            Files.writeString(
                    apps.resolve(app + ".desktop"),
                    "[Desktop Entry]\nType=Application\nName=" + app + "\nExec=/bin/true %f\n");
        }
        assertThat(xdgDefault("application/pdf")).isEqualTo("evince.desktop");

        List<String> made = install();

        assertThat(made)
                .contains("application/pdf", "image/png", DesktopTypes.HTTPS)
                .doesNotContain("text/html");
        assertThat(xdgDefault("application/pdf")).isEqualTo("io.isola.Isola.desktop");
        assertThat(xdgDefault("x-scheme-handler/https")).isEqualTo("io.isola.Isola.desktop");
        assertThat(xdgDefault("text/plain")).isEqualTo("gedit.desktop");
        String entry = Files.readString(paths.entry());
        assertThat(entry)
                .contains("DBusActivatable=true", "MimeType=application/pdf;", "x-scheme-handler/https;")
                .contains("Exec=" + paths.launcher() + " %U", "Actions=open-in-cell;safe-view;")
                .contains("[Desktop Action safe-view]\nName=Safe view\nExec=" + paths.launcher() + " --view %U");
        assertThat(Files.readString(paths.busService()))
                .isEqualTo("[D-BUS Service]\nName=io.isola.Isola\nExec=/usr/local/bin/isola desktop agent\n");
        assertThat(Files.isExecutable(paths.launcher())).isTrue();
        assertThat(Files.readString(paths.launcher())).contains("isola='/usr/local/bin/isola'");
        // at login the desktop runs the autostart entry: a call to the agent's name, which starts it (D-Bus activation)
        assertThat(Files.readString(paths.autostart()))
                .contains(
                        "Exec=dbus-send --session --dest=io.isola.Isola /io/isola/Isola org.freedesktop.DBus.Peer.Ping",
                        "NoDisplay=true");
        // desktop-file-validate, where installed, agrees both entries are well-formed
        if (Files.isExecutable(Path.of("/usr/bin/desktop-file-validate"))) {
            for (Path p : List.of(paths.entry(), paths.autostart())) {
                Process v = new ProcessBuilder("desktop-file-validate", p.toString())
                        .redirectErrorStream(true)
                        .start();
                String said = new String(v.getInputStream().readAllBytes());
                assertThat(v.waitFor()).as(said).isZero();
            }
        }

        // installing again changes nothing, and still remembers evince, not Isola, as the earlier default
        install();
        // the person picks another image viewer meanwhile: uninstall leaves their choice alone
        Files.writeString(
                paths.mimeapps(),
                Files.readString(paths.mimeapps())
                        .replace("image/png=io.isola.Isola.desktop;", "image/png=eog.desktop;"));

        List<String> restored = new DesktopInstaller(paths).uninstall();

        assertThat(restored).contains("application/pdf", DesktopTypes.HTTPS).doesNotContain("image/png");
        assertThat(xdgDefault("application/pdf")).isEqualTo("evince.desktop");
        assertThat(Files.readString(paths.mimeapps())).isEqualTo(before + "image/png=eog.desktop;\n");
        assertThat(paths.entry()).doesNotExist();
        assertThat(xdgDefault("image/png")).isEqualTo("eog.desktop");
        assertThat(paths.busService()).doesNotExist();
        assertThat(paths.autostart()).doesNotExist();
        assertThat(paths.launcher()).doesNotExist();
        assertThat(paths.record()).doesNotExist();
    }

    @Test
    void uninstallWithoutInstallSaysSoInOneLine() {
        assertThatThrownBy(() -> new DesktopInstaller(paths).uninstall())
                .isInstanceOf(IsolaException.class)
                .hasMessage("Isola's desktop entries are not installed for you (no record at " + paths.record()
                        + "): nothing to uninstall; `isola desktop install --user` installs them");
    }

    @Test
    void aMimeappsListThePersonMadeReadOnlyIsLeftAlone() throws Exception {
        Files.createDirectories(paths.mimeapps().getParent());
        Files.writeString(paths.mimeapps(), "[Default Applications]\napplication/pdf=evince.desktop;\n");
        boolean root = "root".equals(System.getProperty("user.name"));
        // root writes through file modes: the immutable attribute is what stops root
        Process lock = new ProcessBuilder(
                        root
                                ? List.of("chattr", "+i", paths.mimeapps().toString())
                                : List.of("chmod", "a-w", paths.mimeapps().toString()))
                .inheritIO()
                .start();
        assertThat(lock.waitFor()).isZero();
        try {
            assertThatThrownBy(this::install)
                    .isInstanceOf(IsolaException.class)
                    .hasMessage("cannot change " + paths.mimeapps() + ": it is not writable for you; make it "
                            + "writable (chmod u+w) or set the defaults yourself");
            assertThat(Files.readString(paths.mimeapps())).contains("evince.desktop");
            assertThat(paths.entry()).doesNotExist();
        } finally {
            if (root) {
                new ProcessBuilder("chattr", "-i", paths.mimeapps().toString())
                        .inheritIO()
                        .start()
                        .waitFor();
            }
        }
    }

    @Test
    void withoutHomeOrXdgDirsItSaysWhatToSet() {
        assertThatThrownBy(() -> DesktopPaths.of(Map.of(), false))
                .isInstanceOf(IsolaException.class)
                .hasMessage("neither XDG_DATA_HOME nor HOME names an absolute directory: set HOME (or XDG_DATA_HOME) "
                        + "and try again");
        env.put("XDG_DATA_HOME", home.resolve("my data").toString());
        assertThatThrownBy(() -> new DesktopInstaller(DesktopPaths.of(env, false)).install("/usr/bin/isola", t -> true))
                .isInstanceOf(IsolaException.class)
                .hasMessageStartingWith("the path " + home.resolve("my data/isola/isola-open") + " has a space");
    }

    @Test
    void systemInstallIsEveryonesDefaultAndUninstallRemovesIt() throws Exception {
        Path share = home.resolve("usr-local-share"), xdg = home.resolve("etc-xdg");
        env.put("XDG_DATA_DIRS", share + ":/usr/share");
        env.put("XDG_CONFIG_DIRS", xdg.toString());
        env.put("ISOLA_STATE_DIR", home.resolve("var-lib-isola").toString());
        DesktopPaths system = DesktopPaths.of(env, true);
        new DesktopInstaller(system).install("/usr/local/bin/isola", t -> t.equals("application/pdf"));
        assertThat(system.entry()).isEqualTo(share.resolve("applications/io.isola.Isola.desktop"));
        // a person with no mimeapps.list of their own gets the system's default
        assertThat(xdgDefault("application/pdf")).isEqualTo("io.isola.Isola.desktop");
        assertThat(new DesktopInstaller(system).uninstall()).containsExactly("application/pdf");
        assertThat(xdgDefault("application/pdf")).isNotEqualTo("io.isola.Isola.desktop");
        assertThat(Files.readString(system.mimeapps())).isEqualTo("[Default Applications]\n");
    }

    @Test
    void systemScopeUsesTheFirstOfTheXdgSystemDirs() {
        env.put("XDG_DATA_DIRS", "/opt/share:/usr/share");
        env.put("XDG_CONFIG_DIRS", "/opt/xdg");
        DesktopPaths s = DesktopPaths.of(env, true);
        assertThat(s.entry()).isEqualTo(Path.of("/opt/share/applications/io.isola.Isola.desktop"));
        assertThat(s.busService()).isEqualTo(Path.of("/opt/share/dbus-1/services/io.isola.Isola.service"));
        assertThat(s.mimeapps()).isEqualTo(Path.of("/opt/xdg/mimeapps.list"));
        assertThat(s.autostart()).isEqualTo(Path.of("/opt/xdg/autostart/io.isola.Isola.Agent.desktop"));
    }
}
