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
    static final Path EXAMPLE = Path.of("../examples/policy.toml").toAbsolutePath().normalize();
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
        assertThat(show.out()).containsSubsequence("1. company intranet (line 30)", "2. my own writing",
                "3. downloads", "4. anything else: untrusted", "untrusted: engine sandbox", "network internet",
                "trusted: engine sandbox", "network trusted", "intranet: *.corp.example.com, 10.0.0.0/8");
    }

    @Test
    void aBrokenPolicyGetsOneLineNamingTheLine() throws IOException {
        Path bad = Files.writeString(work.resolve("bad.toml"), """
                version = 1
                [[rule]]
                name = "x"
                trsut = "trusted"
                """);
        CliUsageTest.assertOneLine(cli.run("policy", "check", bad.toString()), 2,
                "bad.toml:4: unknown key 'trsut' in [[rule]]");
        Path syntax = Files.writeString(work.resolve("syntax.toml"), "version = 1\n[[rule]\n");
        CliUsageTest.assertOneLine(cli.run("policy", "check", syntax.toString()), 2, "syntax.toml:2: not valid TOML");
        Path trustsAll = Files.writeString(work.resolve("all.toml"), """
                [[rule]]
                name = "everything"
                trust = "trusted"
                types = ["*"]
                """);
        CliUsageTest.assertOneLine(cli.run("policy", "check", trustsAll.toString()), 2,
                "all.toml:1: rule 'everything' trusts a file type wherever it comes from");
    }

    @Test
    void openRunsTheHandlerInACellAndDefusesTerminalEscapes() throws IOException {
        Path doc = Files.writeString(work.resolve("note.txt"), "hello \u001b]0;pwned\u0007 world\n");
        Cli.Result r = cli.run(Map.of("ISOLA_POLICY", EXAMPLE.toString()), null, "open", doc.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("hello ^[]0;pwned^G world\n");
        assertThat(r.err()).contains("note.txt is text/plain, untrusted");
    }

    @Test
    void badTargetsGetOneClearLine() throws IOException {
        Map<String, String> env = Map.of("ISOLA_POLICY", EXAMPLE.toString());
        CliUsageTest.assertOneLine(cli.run(env, null, "open", "/no/such/file.pdf"), 2, "no such file");
        CliUsageTest.assertOneLine(cli.run(env, null, "open", work.toString()), 2, "is not a regular file");
        CliUsageTest.assertOneLine(cli.run(env, null, "open"), 2, "give a FILE or URL");
        CliUsageTest.assertOneLine(cli.run(env, null, "open", "ftp://example.com/x"), 2,
                "is not an http or https link");
        CliUsageTest.assertOneLine(cli.run("open", "--policy", "/no/policy.toml", "x"), 2,
                "/no/policy.toml: no such file");
        CliUsageTest.assertOneLine(cli.run("trust", "explain"), 2, "use: isola trust explain PATH|URL");
    }

    @Test
    void trustExplainNamesTheDecidingRuleAndExitsByTrust() {
        Cli.Result trusted = cli.run("trust", "--policy", EXAMPLE.toString(), "explain",
                "https://intranet.example.com/wiki");
        assertThat(trusted.code()).isZero();
        assertThat(trusted.out()).contains("trusted", "rule 'company intranet' (line 30)");
        Cli.Result untrusted = cli.run("trust", "--policy", EXAMPLE.toString(), "explain",
                "https://intranet.example.com.evil.org/wiki");
        assertThat(untrusted.code()).isEqualTo(1);
        assertThat(untrusted.out()).contains("untrusted", "anything not named is untrusted");
        Cli.Result json = cli.run("trust", "--json", "--policy", EXAMPLE.toString(), "explain",
                "https://intranet.example.com/wiki");
        assertThat(json.out()).startsWith("{\"target\":\"https://intranet.example.com/wiki\",\"trust\":\"trusted\"")
                .contains("\"rule\":\"company intranet\"");
    }

    @Test
    void underSudoACellCannotReadWhatTheCallerCouldNot() throws IOException {
        Path secret = Files.writeString(work.resolve("root-only.txt"), "root's secret\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path open = Files.writeString(work.resolve("everyone.txt"), "for everyone\n");
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> sudo = Map.of("ISOLA_POLICY", EXAMPLE.toString(), "SUDO_USER", "nobody", "SUDO_UID",
                "65534", "SUDO_GID", "65534");
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
        Map<String, String> sudo = Map.of("ISOLA_POLICY", EXAMPLE.toString(), "SUDO_USER", "nobody", "SUDO_UID",
                "65534", "SUDO_GID", "65534");

        Cli.Result ok = cli.run(sudo, null, "open", "--view", doc.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(Files.getAttribute(theirs.resolve("letter.safe.pdf"), "unix:uid")).isEqualTo(65534);

        Cli.Result refused = cli.run(sudo, null, "open", "--view", readable.toString());
        CliUsageTest.assertOneLine(refused, 2, "nobody may not create files in " + rootOnly);
        try (var s = Files.list(rootOnly)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("readme.txt");
        }
    }

    @Test
    void trustExplainShowsAFilesMarks() throws IOException {
        Path f = Files.writeString(work.resolve("download.pdf"), "%PDF-1.4\n%%EOF\n");
        Files.getFileAttributeView(f, java.nio.file.attribute.UserDefinedFileAttributeView.class)
                .write("xdg.origin.url", java.nio.charset.StandardCharsets.UTF_8.encode("https://cdn.example.org/d.pdf"));
        Cli.Result r = cli.run("trust", "--policy", EXAMPLE.toString(), "explain", f.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("downloaded from https://cdn.example.org/d.pdf", "type: application/pdf",
                "mark: user.xdg.origin.url = https://cdn.example.org/d.pdf");
    }

    @Test
    void trustExplainJudgesEveryOriginMarkAndSaysWhichDecided() throws IOException {
        Path f = Files.writeString(work.resolve("invoice.pdf"), "%PDF-1.4\n%%EOF\n");
        var view = Files.getFileAttributeView(f, java.nio.file.attribute.UserDefinedFileAttributeView.class);
        view.write("xdg.origin.url", java.nio.charset.StandardCharsets.UTF_8.encode("https://cdn.example.org/i.pdf"));
        // the owner adds Isola's origin mark naming the trusted intranet: it must not hide the browser's mark
        view.write("isola.origin", java.nio.charset.StandardCharsets.UTF_8.encode(
                "https://intranet.example.com/i.pdf"));
        Cli.Result r = cli.run("trust", "--policy", EXAMPLE.toString(), "explain", f.toString());
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("because it was downloaded from https://cdn.example.org/i.pdf",
                "judged: user.isola.origin https://intranet.example.com/i.pdf -> trusted: its origin",
                "judged: user.xdg.origin.url https://cdn.example.org/i.pdf -> untrusted (decided)");
        Cli.Result json = cli.run("trust", "--json", "--policy", EXAMPLE.toString(), "explain", f.toString());
        assertThat(json.out()).contains("\"source\":\"user.xdg.origin.url\"", "\"decided\":true");
    }

    @Test
    void aBadOriginPatternIsOneLineWithItsLine() throws IOException {
        Path bad = Files.writeString(work.resolve("port.toml"), """
                version = 1
                [[rule]]
                name = "intranet"
                trust = "trusted"
                origins = ["https://intranet.example.com:99999/*"]
                """);
        CliUsageTest.assertOneLine(cli.run("policy", "check", bad.toString()), 2,
                "port.toml:5: origin 'https://intranet.example.com:99999/*' has port '99999', which cannot be: a "
                        + "port is a number from 1 to 65535");
    }
}
