package io.isola.cli;

import static io.isola.cli.CliUsageTest.assertOneLine;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code isola desktop}: one line each, saying what to do, and a meaningful exit code. */
class DesktopUsageTest {
    @TempDir
    Path dir;

    private Cli.Result isola(String... args) {
        return new Cli(dir.resolve("state"))
                .run(
                        Map.of(
                                "HOME", dir.toString(),
                                "XDG_DATA_HOME", dir.resolve("data").toString(),
                                "XDG_CONFIG_HOME", dir.resolve("config").toString(),
                                "ISOLA_SOCKET",
                                        dir.resolve("nobody-listens.sock").toString()),
                        null,
                        args);
    }

    @Test
    void badOptionsAndOperandsAreUsageErrors() {
        assertOneLine(isola("desktop", "install", "--bogus"), 2, "unknown option --bogus");
        assertOneLine(isola("desktop"), 2, "use: isola desktop install|uninstall [--user|--system]");
        assertOneLine(isola("desktop", "frobnicate"), 2, "use: isola desktop install|uninstall");
        assertOneLine(isola("desktop", "install", "--user", "--system"), 2, "--user and --system exclude each other");
        assertOneLine(
                isola("desktop", "open", "--system", "/x"), 2, "--user and --system are for install and uninstall");
        assertOneLine(isola("desktop", "install", "--view"), 2, "--view is for isola desktop open");
        assertOneLine(isola("desktop", "open"), 2, "isola desktop open needs a FILE or URL");
        assertOneLine(isola("desktop", "uninstall", "extra"), 2, "isola desktop uninstall takes no operands");
    }

    @Test
    void uninstallWithoutInstallSaysThereIsNothingToUndo() {
        assertOneLine(
                isola("desktop", "uninstall"),
                1,
                "Isola's desktop entries are not installed for you (no record at " + dir.resolve("state")
                        + "/desktop-install.properties): nothing to uninstall; `isola desktop install --user` "
                        + "installs them");
    }

    @Test
    void withoutHomeInstallSaysWhatToSet() throws Exception {
        ProcessBuilder pb = new Cli(dir.resolve("state")).builder(Map.of(), "desktop", "install");
        pb.environment().keySet().removeIf(k -> k.equals("HOME") || k.startsWith("XDG_"));
        Path err = dir.resolve("err");
        Process p = pb.redirectError(err.toFile()).start();
        assertOneLine(
                new Cli.Result(p.waitFor(), "", Files.readString(err)),
                2,
                "neither XDG_DATA_HOME nor HOME names an absolute directory: set HOME (or XDG_DATA_HOME)");
    }

    @Test
    void openWithoutAServiceRefusesRatherThanOpenOnTheHost() throws Exception {
        Path doc = Files.writeString(dir.resolve("doc.txt"), "hello");
        Cli.Result r = isola("desktop", "open", doc.toString());
        assertOneLine(r, 125, "no Isola service answers, so " + doc + " was not opened: start it (isola daemon");
        assertOneLine(
                isola("desktop", "open", "ftp://example.com/x"),
                2,
                "ftp://example.com/x: Isola opens files, file:// and http(s) links; this scheme is not one");
        assertThat(isola("desktop", "open", "file://elsewhere.example.com/x").err())
                .isEqualTo("isola: file://elsewhere.example.com/x names a file on another machine: copy it here "
                        + "first\n");
    }
}
