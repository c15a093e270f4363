package io.isola.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PersistenceTest {
    @Test
    void wordsRoundTrip() {
        for (Persistence p : Persistence.values()) {
            assertThat(Persistence.parse(p.word())).isEqualTo(p);
        }
        assertThat(Persistence.NEW_VERSION.word()).isEqualTo("new-version");
    }

    @Test
    void otherSpellingsAreNotGuessed() {
        assertThat(Persistence.parse("keep")).isNull();
        assertThat(Persistence.parse("NEW_VERSION")).isNull();
        assertThat(Persistence.parse("new_version")).isNull();
        assertThat(Persistence.parse("Discard")).isNull();
        assertThat(Persistence.parse(null)).isNull();
    }
}
