package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A plain user's first commands, as a plain user (setpriv to nobody, whose home does not exist): whatever stops them
 * is one line that says what is wrong and what to do, the more basic reason first, never "cannot open the audit log".
 */
@Tag("root")
class PlainUserCliTest {
    static final Map<String, String> NOBODY =
            Map.of("HOME", "/nonexistent", "ISOLA_STATE_DIR", "", "XDG_STATE_HOME", "", "ISOLA_POLICY", "");

    Path scratch;
    Cli cli;

    @BeforeEach
    void setUp() throws IOException {
        scratch = Files.createTempDirectory("isola-plain-user");
        Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxr-xr-x"));
        cli = new Cli(scratch.resolve("unused-state"))
                .under(
                        List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"),
                        readableClassPath());
    }

    @AfterEach
    void tearDown() {
        Cleanup.deleteTree(scratch);
    }

    @Test
    void runSaysCellsNeedRootFirst() {
        Cli.Result r = asNobody(NOBODY, "run", "--", "/bin/true");
        CliUsageTest.assertOneLine(
                r, 125, "the sandbox engine needs root for overlayfs and cgroups: run isola with sudo");
        assertThat(r.err()).doesNotContain("audit log");
    }

    @Test
    void openSaysCellsNeedRootFirst() throws IOException {
        Path doc = Files.writeString(scratch.resolve("doc.txt"), "a document\n");
        Files.setPosixFilePermissions(doc, PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Result r = asNobody(NOBODY, "open", doc.toString());
        CliUsageTest.assertOneLine(
                r, 125, "the sandbox engine needs root for overlayfs and cgroups: run isola with sudo");
    }

    @Test
    void aCommandThatNeedsNoRootSaysTheStateFolderCannotBeMadeAndWhatToDo() throws IOException {
        Path doc = Files.writeString(scratch.resolve("doc.txt"), "a document\n");
        Files.setPosixFilePermissions(doc, PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Result r = asNobody(NOBODY, "trust", "explain", doc.toString());
        CliUsageTest.assertOneLine(
                r,
                125,
                "isola: cannot create the state folder /nonexistent/.local/state/isola "
                        + "(Permission denied): set XDG_STATE_HOME or ISOLA_STATE_DIR to a folder you can write, or run isola "
                        + "as root");
    }

    @Test
    void aStateFolderThatIsNotWritableSaysSo() throws IOException {
        Path theirs = Files.createDirectories(scratch.resolve("roots-state"));
        Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path doc = Files.writeString(scratch.resolve("doc.txt"), "a document\n");
        Files.setPosixFilePermissions(doc, PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Result r = asNobody(
                Map.of("HOME", "/nonexistent", "ISOLA_STATE_DIR", theirs.toString(), "ISOLA_POLICY", ""),
                "trust",
                "explain",
                doc.toString());
        CliUsageTest.assertOneLine(
                r,
                125,
                "cannot write the state folder " + theirs + " (Permission denied): set "
                        + "XDG_STATE_HOME or ISOLA_STATE_DIR");
    }

    /** The real command in its own JVM, as uid and gid 65534 with no groups. */
    private Cli.Result asNobody(Map<String, String> env, String... args) {
        return cli.run(scratch, env, null, args);
    }

    /** This JVM's class path as nobody can read it: entries under /root (the Maven repository) copied out. */
    private String readableClassPath() throws IOException {
        Path jars = Files.createDirectories(scratch.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (e.startsWith("/root/") && Files.isRegularFile(p)) {
                Path copy = Files.copy(p, jars.resolve(n++ + "-" + p.getFileName()));
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                entries.add(copy.toString());
            } else {
                entries.add(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
