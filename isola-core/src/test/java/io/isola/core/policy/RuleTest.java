package io.isola.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.trust.TrustLevel;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleTest {
    private static final Path DOCS = Path.of("/srv/docs");

    @Test
    void everyKindOfConditionItNamesMustMatch() {
        Rule r = new Rule(
                "r",
                1,
                TrustLevel.TRUSTED,
                List.of(OriginPattern.parse("example.com")),
                List.of(DOCS),
                List.of("application/pdf"));
        URI ok = URI.create("https://example.com/a.pdf");
        assertThat(r.matches(new Facts(DOCS.resolve("a.pdf"), "application/pdf", ok)))
                .isTrue();
        assertThat(r.matches(new Facts(DOCS.resolve("a.pdf"), "application/pdf", URI.create("https://evil.com/"))))
                .isFalse();
        assertThat(r.matches(new Facts(Path.of("/srv/other/a.pdf"), "application/pdf", ok)))
                .isFalse();
        assertThat(r.matches(new Facts(DOCS.resolve("a.pdf"), "text/plain", ok)))
                .isFalse();
        assertThat(r.matches(new Facts(null, "application/pdf", ok))).isFalse();
        assertThat(r.matches(new Facts(DOCS.resolve("a.pdf"), null, ok))).isFalse();
    }

    @Test
    void directoryMatchesWhatIsBelowItNotItselfNorASiblingWithTheSamePrefix() {
        Rule r = new Rule("r", 1, TrustLevel.TRUSTED, List.of(), List.of(DOCS), List.of());
        assertThat(r.matches(new Facts(DOCS.resolve("a/b.txt"), null, null))).isTrue();
        assertThat(r.matches(new Facts(DOCS, null, null))).isFalse();
        assertThat(r.matches(new Facts(Path.of("/srv/docs-evil/a.txt"), null, null)))
                .isFalse();
        assertThat(r.matches(new Facts(Path.of("/srv/docsx"), null, null))).isFalse();
    }

    @Test
    void typePatternsMatchExactlyByFamilyOrAll() {
        assertThat(Rule.typeMatches("text/*", "text/plain")).isTrue();
        assertThat(Rule.typeMatches("text/*", "textual/plain")).isFalse();
        assertThat(Rule.typeMatches("application/pdf", "application/pdf")).isTrue();
        assertThat(Rule.typeMatches("application/pdf", "application/pdfx")).isFalse();
        assertThat(Rule.typeMatches("*", "anything/at-all")).isTrue();
    }

    @Test
    void onlyOriginsIsTrueForAPureOriginRule() {
        var o = List.of(OriginPattern.parse("example.com"));
        assertThat(new Rule("r", 1, TrustLevel.TRUSTED, o, List.of(), List.of()).onlyOrigins())
                .isTrue();
        assertThat(new Rule("r", 1, TrustLevel.TRUSTED, o, List.of(DOCS), List.of()).onlyOrigins())
                .isFalse();
        assertThat(new Rule("r", 1, TrustLevel.TRUSTED, List.of(), List.of(DOCS), List.of()).onlyOrigins())
                .isFalse();
    }

    @Test
    void describeReadsAsASentence() {
        Rule r = new Rule(
                "r",
                1,
                TrustLevel.TRUSTED,
                List.of(OriginPattern.parse("a.com"), OriginPattern.parse("*.b.com")),
                List.of(DOCS),
                List.of("text/*", "application/pdf"));
        assertThat(r.describe())
                .isEqualTo(
                        "trusted if origin is a.com or *.b.com and file is under /srv/docs and type is text/* or application/pdf");
        assertThat(new Rule("d", 2, TrustLevel.UNTRUSTED, List.of(), List.of(), List.of("application/zip")).describe())
                .isEqualTo("untrusted if type is application/zip");
    }

    @Test
    void listsAreCopiedSoTheRuleCannotChangeLater() {
        var dirs = new java.util.ArrayList<>(List.of(DOCS));
        Rule r = new Rule("r", 1, TrustLevel.TRUSTED, List.of(), dirs, List.of());
        dirs.add(Path.of("/"));
        assertThat(r.directories()).containsExactly(DOCS);
    }
}
