package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code open}, {@code trust explain} and {@code policy} as a user meets them, in a JVM of their own. */
@Tag("kernel")
class TaskCliTest {
    static final Path EXAMPLE =
            Path.of("../examples/policy.toml").toAbsolutePath().normalize();
    static Path state;
    static Path work;
    static Cli cli;

    @BeforeAll
    static void setUp() throws IOException {
        state = Files.createTempDirectory("isola-cli-state");
        work = Files.createDirectories(Path.of("target/cli-work").toAbsolutePath());
        cli = new Cli(state);
    }

    @AfterAll
    static void tearDown() {
        Cleanup.deleteTree(state);
        Cleanup.deleteTree(work);
    }

    @Test
    void theExamplePolicyChecksAndShowsItsRulesInOrder() {
        Cli.Result check = cli.run("policy", "check", EXAMPLE.toString());
        assertThat(check.code()).isZero();
        assertThat(check.out()).contains("ok, 3 rule(s)");
        Cli.Result show = cli.run("policy", "show", EXAMPLE.toString());
        assertThat(show.code()).isZero();
        assertThat(show.out())
                .containsSubsequence(
                        "1. company intranet (line 30)",
                        "2. my own writing",
                        "3. downloads",
                        "4. anything else: untrusted",
                        "untrusted: engine sandbox",
                        "network internet",
                        "trusted: engine sandbox",
                        "network trusted",
                        "intranet: *.corp.example.com, 10.0.0.0/8");
    }

    @Test
    void openRunsTheHandlerInACellAndDefusesTerminalEscapes() throws IOException {
        Path doc = Files.writeString(work.resolve("note.txt"), "hello \u001b]0;pwned\u0007 world\n");
        Cli.Result r = cli.run(Map.of("ISOLA_POLICY", EXAMPLE.toString()), null, "open", doc.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("hello ^[]0;pwned^G world\n");
        assertThat(r.err()).contains("note.txt is text/plain, untrusted");
    }

    /** A DISPLAY that does not answer (a stale one in ssh or tmux): the handler runs, and ISOLA_DEBUG says why. */
    @Test
    void aDisplayThatDoesNotAnswerOpensWithoutAWindowAndIsolaDebugSaysWhy() throws IOException {
        Path doc = Files.writeString(work.resolve("stale.txt"), "plain text\n");
        Map<String, String> env =
                new java.util.HashMap<>(Map.of("ISOLA_POLICY", EXAMPLE.toString(), "DISPLAY", ":919"));
        Cli.Result quiet = cli.run(env, null, "open", doc.toString());
        assertThat(quiet.code()).as(quiet.err()).isZero();
        assertThat(quiet.out()).isEqualTo("plain text\n");
        assertThat(quiet.err()).doesNotContain("does not answer");
        env.put("ISOLA_DEBUG", "1");
        Cli.Result told = cli.run(env, null, "open", doc.toString());
        assertThat(told.code()).as(told.err()).isZero();
        assertThat(told.out()).isEqualTo("plain text\n");
        assertThat(told.err())
                .contains("isola: DISPLAY=:919 does not answer: the level's handler runs without a window");
    }

    @Test
    void badTargetsGetOneClearLine() throws IOException {
        Map<String, String> env = Map.of("ISOLA_POLICY", EXAMPLE.toString());
        CliUsageTest.assertOneLine(cli.run(env, null, "open", "/no/such/file.pdf"), 2, "no such file");
        CliUsageTest.assertOneLine(cli.run(env, null, "open", work.toString()), 2, "is not a regular file");
        CliUsageTest.assertOneLine(cli.run(env, null, "open"), 2, "give a FILE or URL");
        CliUsageTest.assertOneLine(
                cli.run(env, null, "open", "ftp://example.com/x"), 2, "is not an http or https link");
        CliUsageTest.assertOneLine(
                cli.run("open", "--policy", "/no/policy.toml", "x"), 2, "/no/policy.toml: no such file");
        CliUsageTest.assertOneLine(cli.run("trust", "explain"), 2, "use: isola trust explain PATH|URL");
    }

    @Test
    void trustExplainNamesTheDecidingRuleAndExitsByTrust() {
        Cli.Result trusted =
                cli.run("trust", "--policy", EXAMPLE.toString(), "explain", "https://intranet.example.com/wiki");
        assertThat(trusted.code()).isZero();
        assertThat(trusted.out()).contains("trusted", "rule 'company intranet' (line 30)");
        Cli.Result untrusted = cli.run(
                "trust", "--policy", EXAMPLE.toString(), "explain", "https://intranet.example.com.evil.org/wiki");
        assertThat(untrusted.code()).isEqualTo(1);
        assertThat(untrusted.out()).contains("untrusted", "anything not named is untrusted");
        Cli.Result json = cli.run(
                "trust", "--json", "--policy", EXAMPLE.toString(), "explain", "https://intranet.example.com/wiki");
        assertThat(json.out())
                .startsWith("{\"target\":\"https://intranet.example.com/wiki\",\"trust\":\"trusted\"")
                .contains("\"rule\":\"company intranet\"");
    }

    @Test
    void underSudoACellCannotReadWhatTheCallerCouldNot() throws IOException {
        Path secret = Files.writeString(work.resolve("root-only.txt"), "root's secret\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path open = Files.writeString(work.resolve("everyone.txt"), "for everyone\n");
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> sudo = Map.of(
                "ISOLA_POLICY", EXAMPLE.toString(), "SUDO_USER", "nobody", "SUDO_UID", "65534", "SUDO_GID", "65534");
        Cli.Result denied = cli.run(sudo, null, "open", secret.toString());
        CliUsageTest.assertOneLine(denied, 2, "nobody may not read " + secret);
        assertThat(denied.out()).doesNotContain("secret");
        Cli.Result allowed = cli.run(sudo, null, "open", open.toString());
        assertThat(allowed.code()).as(allowed.err()).isZero();
        assertThat(allowed.out()).isEqualTo("for everyone\n");
    }

    @Test
    void underSudoTheSafeViewIsWrittenWithTheCallersRightsOnly() throws IOException {
        Path theirs = Files.createDirectories(work.resolve("nobody-home"));
        Files.setAttribute(theirs, "unix:uid", 65534);
        Path doc = Files.writeString(theirs.resolve("letter.txt"), "dear nobody\n");
        Files.setPosixFilePermissions(doc, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path rootOnly = Files.createDirectories(work.resolve("root-dir"));
        Path readable = Files.writeString(rootOnly.resolve("readme.txt"), "readable by all\n");
        Files.setPosixFilePermissions(readable, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> sudo = Map.of(
                "ISOLA_POLICY", EXAMPLE.toString(), "SUDO_USER", "nobody", "SUDO_UID", "65534", "SUDO_GID", "65534");

        Cli.Result ok = cli.run(sudo, null, "open", "--view", doc.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(Files.getAttribute(theirs.resolve("letter.safe.pdf"), "unix:uid"))
                .isEqualTo(65534);

        // nobody may write neither beside it, nor in the current directory, nor in their home (/nonexistent)
        Cli.Result refused = cli.run(rootOnly, sudo, null, "open", "--view", readable.toString());
        CliUsageTest.assertOneLine(
                refused,
                2,
                "cannot save the safe view: " + rootOnly + " is not writable by you, "
                        + "nor can you write your home folder /nonexistent: give --output DIR");
        try (var s = Files.list(rootOnly)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("readme.txt");
        }
    }

    @Test
    void severalViewsAtOnceEachGetTheirOwnCellAndARefusalStopsNoOther() throws IOException {
        Path dir = Files.createDirectories(work.resolve("several"));
        Path a = Files.writeString(dir.resolve("a.txt"), "first\n");
        Path b = Files.writeString(dir.resolve("b.txt"), "second\n");
        Map<String, String> env = Map.of("ISOLA_POLICY", EXAMPLE.toString());
        Cli.Result r = cli.run(
                env,
                null,
                "open",
                "--view",
                a.toString(),
                dir.resolve("missing.txt").toString(),
                b.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("isola: " + dir.resolve("missing.txt") + ": no such file");
        var cells = java.util.regex.Pattern.compile("rebuilt from pixels in cell (\\w+)")
                .matcher(r.err())
                .results()
                .map(m -> m.group(1))
                .toList();
        assertThat(cells).hasSize(2).doesNotHaveDuplicates();
        assertThat(dir.resolve("a.safe.pdf")).isRegularFile();
        assertThat(dir.resolve("b.safe.pdf")).isRegularFile();
        CliUsageTest.assertOneLine(
                cli.run(env, null, "open", a.toString(), b.toString()),
                2,
                "open takes one FILE or URL, not 2 (several at once only with --view)");
    }

    @Test
    void aViewOfAFileOnAReadOnlyFileSystemGoesToTheCurrentDirectoryOrToOutput() throws IOException {
        Path here = Files.createDirectories(work.resolve("here"));
        Path out = Files.createDirectories(work.resolve("chosen"));
        Map<String, String> env = Map.of("ISOLA_POLICY", EXAMPLE.toString());
        try (var ro = new ReadOnlyFolder(work.resolve("cdrom"), Map.of("report.txt", "quarterly figures\n"))) {
            Path doc = ro.dir.resolve("report.txt");
            Cli.Result r = cli.run(here, env, null, "open", "--view", doc.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err())
                    .contains(
                            "1 page(s) -> " + here.resolve("report.safe.pdf"),
                            ro.dir + " is on a read-only file system, so it went to the current directory");
            Cli.Result chosen = cli.run(here, env, null, "open", "--view", "--output", out.toString(), doc.toString());
            assertThat(chosen.code()).as(chosen.err()).isZero();
            assertThat(out.resolve("report.safe.pdf")).isRegularFile();
        }
        CliUsageTest.assertOneLine(
                cli.run(env, null, "open", "--output", out.toString(), "x.txt"),
                2,
                "--output says where a safe view goes: use it with --view");
    }

    @Test
    void aFileUrlOpensTheFileItNamesAndALinkGetsNoCircularAdvice() throws IOException {
        Path dir = Files.createDirectories(work.resolve("url files"));
        Path doc = Files.writeString(dir.resolve("my notes #1.txt"), "from a file URL\n");
        String url = "file://" + dir.toUri().getRawPath() + "my%20notes%20%231.txt";
        Map<String, String> env = Map.of("ISOLA_POLICY", EXAMPLE.toString());
        Cli.Result open = cli.run(env, null, "open", url);
        assertThat(open.code()).as(open.err()).isZero();
        assertThat(open.out()).isEqualTo("from a file URL\n");
        Cli.Result view = cli.run(env, null, "open", "--view", url.replace("file://", "file://localhost"));
        assertThat(view.code()).as(view.err()).isZero();
        assertThat(dir.resolve("my notes #1.safe.pdf")).isRegularFile();
        CliUsageTest.assertOneLine(
                cli.run(env, null, "open", "file://fileserver/share/x.txt"),
                2,
                "names a file on another host (fileserver): Isola opens local files only");
        CliUsageTest.assertOneLine(
                cli.run(env, null, "open", url.replace("%23", "#")),
                2,
                "has a query or fragment (?… or #…), which no file has: in a file name write ? as %3F and # as "
                        + "%23");
        CliUsageTest.assertOneLine(
                cli.run(env, null, "open", "file://" + doc),
                2,
                "is not a valid file URL (Illegal character in path): write special characters as %XX");
    }

    @Test
    void whatADiscardingPolicyDroppedComesWithTheSettingAndFileThatKeepIt() throws IOException {
        Path policy = Files.writeString(work.resolve("mine.toml"), """
                version = 1
                [level.untrusted]
                persistence = "discard"
                [level.untrusted.handlers]
                "application/zip" = ["unzip", "-q", "-d", "{output}", "{file}"]
                """);
        Path zip = work.resolve("two.zip");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            for (String n : java.util.List.of("a.txt", "b.txt")) {
                z.putNextEntry(new java.util.zip.ZipEntry(n));
                z.write(n.getBytes());
                z.closeEntry();
            }
        }
        Cli.Result r = cli.run(Map.of("ISOLA_POLICY", policy.toString()), null, "open", zip.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err())
                .contains(
                        "discarded 2 file(s)",
                        "to keep them, set persistence = \"quarantine\"",
                        "or \"new-version\" under [level.untrusted] in " + policy);
    }

    @Test
    void openShowsTheSafeViewWithXdgOpenAsTheSudoCallerNeverAsRoot() throws IOException {
        var rwx = java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x");
        Files.setPosixFilePermissions(work, rwx);
        Path bin = Files.createDirectories(work.resolve("fake-bin"));
        Path records = Files.createDirectories(work.resolve("records"));
        Files.setAttribute(records, "unix:uid", 65534);
        Path record = records.resolve("xdg-open.txt");
        Path fake = Files.writeString(
                bin.resolve("xdg-open"),
                "#!/bin/sh\n{ id -u; id -g; echo \"home=$HOME\"; "
                        + "echo \"display=$DISPLAY\"; for a in \"$@\"; do echo \"arg=$a\"; done; } > " + record + "\n");
        Files.setPosixFilePermissions(fake, rwx);
        Path theirs = Files.createDirectories(work.resolve("nobody-docs"));
        Files.setAttribute(theirs, "unix:uid", 65534);
        Path doc = Files.writeString(theirs.resolve("letter.txt"), "dear nobody\n");
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "ISOLA_POLICY",
                EXAMPLE.toString(),
                "SUDO_USER",
                "nobody",
                "SUDO_UID",
                "65534",
                "SUDO_GID",
                "65534",
                "PATH",
                bin + ":/usr/bin:/bin",
                "DISPLAY",
                ":42"));
        Path safe = theirs.resolve("letter.safe.pdf");

        Cli.Result r = cli.run(env, null, "open", "--view", "--open", doc.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("opened " + safe + " with xdg-open as nobody");
        assertThat(Files.readAllLines(record))
                .containsExactly("65534", "65534", "home=/nonexistent", "display=:42", "arg=" + safe);

        // a view already made is shown as it is
        Files.delete(record);
        Cli.Result again = cli.run(env, null, "open", "--view", "--open", doc.toString());
        assertThat(again.err()).contains(safe + " is already the safe view", "opened " + safe);
        assertThat(Files.readAllLines(record)).contains("65534", "arg=" + safe);

        // no display: nothing is started, and the line says where the file is
        Files.delete(record);
        env.put("DISPLAY", "");
        Cli.Result headless = cli.run(env, null, "open", "--view", "--open", doc.toString());
        assertThat(headless.code()).isZero();
        assertThat(headless.err())
                .contains("no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so nothing was " + "opened: open "
                        + safe + " in your viewer yourself");
        assertThat(record).doesNotExist();
        CliUsageTest.assertOneLine(
                cli.run(env, null, "open", "--open", doc.toString()),
                2,
                "--open shows the safe view in your viewer: use it with --view");
    }

    @Test
    void trustExplainShowsAFilesMarks() throws IOException {
        Path f = Files.writeString(work.resolve("download.pdf"), "%PDF-1.4\n%%EOF\n");
        Files.getFileAttributeView(f, java.nio.file.attribute.UserDefinedFileAttributeView.class)
                .write(
                        "xdg.origin.url",
                        java.nio.charset.StandardCharsets.UTF_8.encode("https://cdn.example.org/d.pdf"));
        Cli.Result r = cli.run("trust", "--policy", EXAMPLE.toString(), "explain", f.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out())
                .contains(
                        "downloaded from https://cdn.example.org/d.pdf",
                        "type: application/pdf",
                        "mark: user.xdg.origin.url = https://cdn.example.org/d.pdf");
    }

    @Test
    void trustExplainJudgesEveryOriginMarkAndSaysWhichDecided() throws IOException {
        Path f = Files.writeString(work.resolve("invoice.pdf"), "%PDF-1.4\n%%EOF\n");
        var view = Files.getFileAttributeView(f, java.nio.file.attribute.UserDefinedFileAttributeView.class);
        view.write("xdg.origin.url", java.nio.charset.StandardCharsets.UTF_8.encode("https://cdn.example.org/i.pdf"));
        // the owner adds Isola's origin mark naming the trusted intranet: it must not hide the browser's mark
        view.write(
                "isola.origin", java.nio.charset.StandardCharsets.UTF_8.encode("https://intranet.example.com/i.pdf"));
        Cli.Result r = cli.run("trust", "--policy", EXAMPLE.toString(), "explain", f.toString());
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.out())
                .contains(
                        "because it was downloaded from https://cdn.example.org/i.pdf",
                        "judged: user.isola.origin https://intranet.example.com/i.pdf -> trusted: its origin",
                        "judged: user.xdg.origin.url https://cdn.example.org/i.pdf -> untrusted (decided)");
        Cli.Result json = cli.run("trust", "--json", "--policy", EXAMPLE.toString(), "explain", f.toString());
        assertThat(json.out()).contains("\"source\":\"user.xdg.origin.url\"", "\"decided\":true");
    }
}
