package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code policy check|show} and {@code trust explain} on plain files: no cell is started, so these run as any user.
 */
class PolicyCliTest {
    static Path state;
    static Path work;
    static Cli cli;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void setUp() throws IOException {
        state = Files.createTempDirectory("isola-policy-state");
        work = Files.createTempDirectory("isola-policy-work");
        cli = new Cli(state);
    }

    @AfterAll
    static void tearDown() {
        Cleanup.deleteTree(state);
        Cleanup.deleteTree(work);
    }

    @Test
    void checkListsEveryErrorOneLineEachWithItsLine() throws IOException {
        Path bad = Files.writeString(work.resolve("bad.toml"), """
                version = 1
                [[rule]]
                name = "x"
                trsut = "trusted"
                directories = ["/srv/x"]

                [level.untrusted.handlers]
                "application/pdf" = ["pdftotext", "{fil}", "-"]
                "text/*" = ["no-such-viewer-xyz", "{file}"]
                "image/*" = ["/home/someone/bin/viewer", "{file}"]

                [level.trusted]
                engine = "vm"
                [level.trusted.handlers]
                "*" = ["/opt/tool", "{file}"]
                """);
        Cli.Result r = cli.run("policy", "check", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        List<String> lines = r.err().lines().toList();
        assertThat(lines).hasSize(7);
        assertThat(lines.get(0)).startsWith(bad + ":4: unknown key 'trsut' in [[rule]]");
        assertThat(lines.get(1)).startsWith(bad + ":2: rule 'x' has no trust: add trust = ");
        assertThat(lines.get(2))
                .startsWith(bad + ":8: the handler for application/pdf uses {fil}, which Isola "
                        + "does not fill in for a file: use {file} or {output}");
        assertThat(lines.get(3))
                .isEqualTo(bad + ":9: the handler for text/* at level untrusted runs "
                        + "no-such-viewer-xyz, which is not in the host image (not on the cell's PATH, "
                        + "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin): install it on the host, or name "
                        + "another program");
        assertThat(lines.get(4))
                .startsWith(bad + ":10: the handler for image/* at level untrusted runs "
                        + "/home/someone/bin/viewer, which is outside the host image");
        assertThat(lines.get(5))
                .isEqualTo(bad + ":15: the handler for * at level trusted runs /opt/tool, which is "
                        + "outside the vm image (a copy of the host's /usr): cells see only /usr/ of the host; name a program "
                        + "there");
        assertThat(lines.get(6))
                .isEqualTo("isola: 6 error(s) in " + bad + ": fix them and run isola policy check " + "again");
        assertThat(r.err()).doesNotContain("\tat ", "Exception");
    }

    @Test
    void checkSaysThatDefinedHandlersReplaceTheBuiltInOnes() throws IOException {
        Path p = Files.writeString(work.resolve("handlers.toml"), """
                version = 1
                [level.untrusted.handlers]
                "text/*" = ["cat", "-v", "{file}"]
                """);
        Cli.Result r = cli.run("policy", "check", p.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .contains(
                        "note: handlers for level untrusted: the 1 defined in [level.untrusted.handlers] "
                                + "replace the built-in ones; types not listed have no handler (add \"*\" for them), and isola "
                                + "open refuses them",
                        "note: handlers for level trusted: none defined, so the built-in ones",
                        p + ": ok, 0 rule(s); anything else is untrusted");
        Cli.Result show = cli.run("policy", "show", p.toString());
        assertThat(show.out())
                .containsSubsequence(
                        "untrusted: engine sandbox",
                        "handlers (the policy's; they replace the built-in ones):",
                        "text/*: cat -v {file}",
                        "trusted: engine sandbox",
                        "handlers (built-in: the policy defines none):",
                        "application/pdf:");
        assertThat(show.out().lines().filter(l -> l.startsWith("    ")).count())
                .as("one untrusted handler and the built-in trusted ones")
                .isGreaterThan(2);
    }

    @Test
    void windowHandlersComeFromThePolicyAndCheckRefusesAnUnknownProgram() throws IOException {
        Path bad = Files.writeString(work.resolve("window-bad.toml"), """
                version = 1
                [level.untrusted.window-handlers]
                "application/pdf" = ["no-such-pdf-viewer-xyz", "{file}"]
                "text/*" = ["xedit", "{fil}"]
                """);
        Cli.Result r = cli.run("policy", "check", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().toList())
                .containsExactly(
                        bad + ":4: the handler for text/* uses {fil}, which Isola does not fill in for a file: use"
                                + " {file} or {output} (links' handlers, x-scheme-handler/..., get {url} and {name})",
                        bad + ":3: the window handler for application/pdf at level untrusted runs"
                                + " no-such-pdf-viewer-xyz, which is not in the host image (not on the cell's PATH,"
                                + " /usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin): install it on the"
                                + " host, or name another program",
                        "isola: 2 error(s) in " + bad + ": fix them and run isola policy check again");

        Path good = Files.writeString(work.resolve("window-good.toml"), """
                version = 1
                [level.untrusted.window-handlers]
                "application/pdf" = ["xedit", "{file}"]
                """);
        Cli.Result show = cli.run("policy", "show", good.toString());
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.out())
                .containsSubsequence(
                        "untrusted: engine sandbox",
                        "window handlers (isola open --window):",
                        "    application/pdf: xedit {file}",
                        "trusted: engine sandbox",
                        "window handlers (isola open --window):",
                        "    application/pdf: mupdf {file}",
                        "    text/*: xedit {file}");
    }

    @Test
    void checkJsonListsErrorsAndNotes() throws IOException {
        Path bad = Files.writeString(work.resolve("bad-json.toml"), "version = 2\ncolour = 1\n");
        Cli.Result r = cli.run("policy", "check", "--json", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        JsonNode j = JSON.readTree(r.out());
        assertThat(j.get("policy").asText()).isEqualTo(bad.toString());
        assertThat(j.get("ok").asBoolean()).isFalse();
        assertThat(j.get("errors")).hasSize(2);
        assertThat(j.get("errors").get(0).get("file").asText()).isEqualTo(bad.toString());
        assertThat(j.get("errors").get(0).get("line").asInt()).isEqualTo(2);
        assertThat(j.get("errors").get(0).get("message").asText()).startsWith("unknown key 'colour'");
        assertThat(j.get("errors").get(1).get("line").asInt()).isEqualTo(1);
        assertThat(j.get("notes").isArray()).isTrue();
        assertThat(r.out().lines().count()).isEqualTo(1);
    }

    @Test
    void showJsonGivesRulesAndLevelsWhereverTheOptionStands() throws IOException {
        Path p = Files.writeString(work.resolve("show.toml"), """
                version = 1
                [[rule]]
                name = "srv docs"
                trust = "untrusted"
                directories = ["/srv/docs"]
                types = ["application/pdf"]

                [level.trusted]
                timeout = "90s"
                """);
        Cli.Result before = cli.run("policy", "--json", "show", p.toString());
        Cli.Result between = cli.run("policy", "show", "--json", p.toString());
        Cli.Result after = cli.run("policy", "show", p.toString(), "--json");
        assertThat(before.code()).as(before.err()).isZero();
        assertThat(between.out()).isEqualTo(before.out());
        assertThat(after.out()).isEqualTo(before.out());
        JsonNode j = JSON.readTree(before.out());
        JsonNode rule = j.get("rules").get(0);
        assertThat(rule.get("name").asText()).isEqualTo("srv docs");
        assertThat(rule.get("line").asInt()).isEqualTo(2);
        assertThat(rule.get("trust").asText()).isEqualTo("untrusted");
        assertThat(rule.get("types").get(0).asText()).isEqualTo("application/pdf");
        assertThat(j.get("otherwise").asText()).isEqualTo("untrusted");
        JsonNode trusted = j.get("levels").get("trusted");
        assertThat(trusted.get("timeout").asDouble()).isEqualTo(90.0);
        assertThat(trusted.get("cpu-time").isNull()).isTrue();
        assertThat(trusted.get("persistence").asText()).isEqualTo("new-version");
        assertThat(trusted.get("handlers-from").asText()).isEqualTo("built-in");
        assertThat(trusted.get("handlers").get("application/pdf").get(0).asText())
                .isEqualTo("pdftotext");
    }

    @Test
    void trustExplainTakesItsOptionsAnywhereAfterTheCommand() throws IOException {
        Path policy = Files.writeString(work.resolve("empty.toml"), "version = 1\n");
        Path doc = Files.writeString(work.resolve("note.txt"), "hello\n");
        List<String[]> forms = List.of(
                new String[] {"trust", "--json", "--policy", policy.toString(), "explain", doc.toString()},
                new String[] {"trust", "explain", "--json", doc.toString(), "--policy", policy.toString()},
                new String[] {"trust", "explain", doc.toString(), "--policy=" + policy, "--json"});
        String first = null;
        for (String[] args : forms) {
            Cli.Result r = cli.run(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(1);
            JsonNode j = JSON.readTree(r.out());
            assertThat(j.get("trust").asText()).isEqualTo("untrusted");
            assertThat(j.get("policy").asText()).isEqualTo(policy.toString());
            first = first == null ? r.out() : first;
            assertThat(r.out()).isEqualTo(first);
        }
        // -- ends the options: what follows is the target, even if it looks like one
        Cli.Result dashed = cli.run("trust", "explain", "--policy", policy.toString(), "--", "--json");
        CliUsageTest.assertOneLine(dashed, 2, "no such file: ");
    }

    @Test
    void aBrokenPolicyStopsOtherCommandsWithItsFirstErrorAndHowManyMore() throws IOException {
        Path bad = Files.writeString(work.resolve("two.toml"), "version = 1\na = 1\nb = 2\n");
        CliUsageTest.assertOneLine(
                cli.run("trust", "explain", "https://example.com/", "--policy", bad.toString()),
                2,
                bad
                        + ":2: unknown key 'a' in the top level (known: guard, level, network, rule, version) (and 1 more error: isola "
                        + "policy check lists them)");
    }

    @Test
    void syntaxAndOriginErrorsNameTheirLines() throws IOException {
        Path syntax = Files.writeString(work.resolve("syntax.toml"), "version = 1\n[[rule]\n");
        Cli.Result s = cli.run("policy", "check", syntax.toString());
        assertThat(s.code()).isEqualTo(2);
        assertThat(s.err()).startsWith(syntax + ":2: not valid TOML");
        Path port = Files.writeString(work.resolve("port.toml"), """
                version = 1
                [[rule]]
                name = "intranet"
                trust = "trusted"
                origins = ["https://intranet.example.com:99999/*"]
                """);
        Cli.Result o = cli.run("policy", "check", port.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err())
                .startsWith(port + ":5: origin 'https://intranet.example.com:99999/*' has port '99999', "
                        + "which cannot be: a port is a number from 1 to 65535\n");
    }
}
