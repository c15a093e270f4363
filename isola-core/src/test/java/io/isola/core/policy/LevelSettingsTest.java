package io.isola.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.trust.TrustLevel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LevelSettingsTest {
    private static LevelSettings handlers(String toml) {
        return PolicyFile.parse("[level.untrusted.handlers]\n" + toml, "t.toml", Path.of("/home/alice"))
                .level(TrustLevel.UNTRUSTED);
    }

    @Test
    void exactTypeBeatsFamilyWhichBeatsTheCatchAll() {
        // written catch-all first, so the order in the file cannot be what decides
        LevelSettings s = handlers("""
                "*" = ["file", "{file}"]
                "text/*" = ["cat", "{file}"]
                "text/html" = ["lynx", "-dump", "{file}"]
                """);
        assertThat(s.handlerFor("text/html")).containsExactly("lynx", "-dump", "{file}");
        assertThat(s.handlerFor("text/plain")).containsExactly("cat", "{file}");
        assertThat(s.handlerFor("image/png")).containsExactly("file", "{file}");
        assertThat(s.handlerFor("inode/x-empty")).containsExactly("file", "{file}");
        assertThat(s.handlerFor("noslash")).containsExactly("file", "{file}");
    }

    @Test
    void familyPatternIsNotAPrefixMatchOnTheWholeType() {
        LevelSettings s = handlers("\"text/*\" = [\"cat\"]\n");
        assertThat(s.handlerFor("textual/plain")).isNull();
        assertThat(s.handlerFor("application/text")).isNull();
    }

    @Test
    void aSpecificHandlerIsTheExactOrFamilyEntryNeverTheCatchAll() {
        // Links go to their scheme's handler only: the catch-all opens files. A family entry that happens to equal
        // the catch-all is still named for the family.
        LevelSettings s = handlers("""
                "*" = ["ls", "{output}"]
                "x-scheme-handler/*" = ["ls", "{output}"]
                "x-scheme-handler/https" = ["curl", "{url}"]
                """);
        assertThat(s.specificHandlerFor("x-scheme-handler/https")).containsExactly("curl", "{url}");
        assertThat(s.specificHandlerFor("x-scheme-handler/http")).containsExactly("ls", "{output}");
        assertThat(s.specificHandlerFor("text/plain")).isNull();
        assertThat(s.handlerFor("text/plain")).containsExactly("ls", "{output}");
    }

    @Test
    void noHandlerWithoutACatchAll() {
        LevelSettings s = handlers("\"application/pdf\" = [\"pdftotext\"]\n");
        assertThat(s.handlerFor("application/zip")).isNull();
        assertThat(s.handlerFor("application/pdf")).containsExactly("pdftotext");
    }

    @Test
    void handlersCannotBeChangedThroughTheSettings() {
        LevelSettings s = handlers("\"*\" = [\"file\"]\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.handlers().put("*", java.util.List.of("sh")))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
