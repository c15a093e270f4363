package io.isola.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.trust.TrustLevel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading a policy goes on past an error: every error is listed with its line, and handlers are checked too. */
class PolicyCheckTest {
    private static final Path HOME = Path.of("/home/alice");

    @Test
    void everyErrorIsListedWithItsLineNotOnlyTheFirst() {
        PolicyCheck c = PolicyFile.check("""
                version = 1
                colour = "blue"

                [[rule]]
                name = "a"
                trust = "maybe"
                directories = ["/srv/a"]

                [[rule]]
                name = "b"
                trust = "trusted"
                types = ["application/pdf"]

                [level.untrusted]
                memory = "lots"
                pids = 0
                engine = "xen"
                """, "t.toml", HOME);

        assertThat(c.ok()).isFalse();
        assertThat(c.problems())
                .extracting(Problems.Problem::toString)
                .containsExactly(
                        "t.toml:2: unknown key 'colour' in the top level (known: guard, level, network, rule, version)",
                        "t.toml:6: trust must be \"trusted\" or \"untrusted\", not \"maybe\"",
                        "t.toml:9: rule 'b' trusts a file type wherever it comes from, downloads included: add the "
                                + "directories or origins it is trusted from",
                        "t.toml:17: unknown engine 'xen': use sandbox or vm",
                        "t.toml:15: memory 'lots' is not a size: use e.g. 64M or 2G",
                        "t.toml:16: pids must be a positive whole number");
    }

    @Test
    void loadingThrowsTheFirstErrorAndSaysHowManyMoreThereAre() {
        assertThatThrownBy(() -> PolicyFile.parse("version = 2\nx = 1\ny = 2\n", "t.toml", HOME))
                .isInstanceOf(PolicyException.class)
                .hasMessage(
                        "t.toml:2: unknown key 'x' in the top level (known: guard, level, network, rule, version) (and 2 more "
                                + "errors: isola policy check lists them)");
    }

    @Test
    void everySyntaxErrorIsListedAndNothingElse() {
        PolicyCheck c = PolicyFile.check("version = 1\n[[rule]\nname = \"x\"\nbad key = 1\n", "t.toml", HOME);
        assertThat(c.problems())
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p.message()).startsWith("not valid TOML"));
        assertThat(c.problems()).extracting(Problems.Problem::line).contains(2);
    }

    @Test
    void aMisspeltPlaceholderIsAnErrorNamingTheKnownOnes() {
        PolicyCheck c = PolicyFile.check("""
                [level.untrusted.handlers]
                "application/pdf" = ["pdftotext", "{fil}", "-"]
                "text/*" = ["cat", "--", "{file}"]
                "image/*" = ["convert", "{url}", "{output}/x.png"]
                "x-scheme-handler/https" = ["curl", "-o", "{output}/{name}", "{file}"]
                "*" = ["sh", "-c", "awk '{ print }' \\"$1\\"", "sh", "{file}"]
                """, "t.toml", HOME);
        assertThat(c.problems())
                .extracting(Problems.Problem::toString)
                .containsExactly(
                        "t.toml:2: the handler for application/pdf uses {fil}, which Isola does not fill in for a file: use "
                                + "{file} or {output} (links' handlers, x-scheme-handler/..., get {url} and {name})",
                        "t.toml:4: the handler for image/* uses {url}, which Isola does not fill in for a file: use "
                                + "{file} or {output} (links' handlers, x-scheme-handler/..., get {url} and {name})",
                        "t.toml:5: the handler for x-scheme-handler/https uses {file}, which Isola does not fill in for a "
                                + "link: use {url}, {name} or {output}");
    }

    @Test
    void definedHandlersReplaceTheBuiltInOnesOfTheirLevelOnly() {
        PolicyCheck c = PolicyFile.check("""
                [level.untrusted.handlers]
                "application/pdf" = ["mutool", "draw", "-o", "{output}/page.png", "{file}"]
                """, "t.toml", HOME);
        assertThat(c.ok()).as(c.problems().toString()).isTrue();
        LevelSettings untrusted = c.policy().level(TrustLevel.UNTRUSTED);
        // exactly the file's table: no built-in text/* or * survives beside it
        assertThat(untrusted.handlers()).containsOnlyKeys("application/pdf");
        assertThat(untrusted.handlerFor("text/plain")).isNull();
        assertThat(c.definedHandlers()).containsExactly(TrustLevel.UNTRUSTED);
        assertThat(c.handlers())
                .containsExactly(new PolicyCheck.Handler(
                        TrustLevel.UNTRUSTED,
                        "application/pdf",
                        List.of("mutool", "draw", "-o", "{output}/page.png", "{file}"),
                        2));
        // the level that defines none keeps the built-in ones
        assertThat(c.policy().level(TrustLevel.TRUSTED).handlers())
                .isEqualTo(PolicyFile.builtIn(HOME).level(TrustLevel.TRUSTED).handlers());
    }

    @Test
    void anEmptyHandlersTableMeansNoHandlers() {
        PolicyCheck c = PolicyFile.check("[level.trusted.handlers]\n", "t.toml", HOME);
        assertThat(c.ok()).isTrue();
        assertThat(c.policy().level(TrustLevel.TRUSTED).handlers()).isEmpty();
        assertThat(c.definedHandlers()).containsExactly(TrustLevel.TRUSTED);
    }

    @Test
    void badHandlerEntriesAreEachNamed() {
        PolicyCheck c = PolicyFile.check("""
                [level.untrusted.handlers]
                "pdf" = ["x", "{file}"]
                "text/*" = []
                "image/*" = "viewer {file}"
                """, "t.toml", HOME);
        assertThat(c.problems())
                .extracting(Problems.Problem::toString)
                .containsExactly(
                        "t.toml:2: 'pdf' is not a MIME type: use e.g. application/pdf, text/* or *",
                        "t.toml:3: the handler for text/* is empty: give the command and its arguments",
                        "t.toml:4: image/* must be a list of strings, e.g. [\"a\", \"b\"]");
    }

    @Test
    void theBuiltInPolicyAndTheExampleHaveNoErrors() throws java.io.IOException {
        assertThat(PolicyFile.checkBuiltIn(HOME).problems()).isEmpty();
        byte[] example = java.nio.file.Files.readAllBytes(Path.of("../examples/policy.toml"));
        assertThat(PolicyFile.checkBytes(example, "examples/policy.toml", HOME).problems())
                .isEmpty();
    }
}
