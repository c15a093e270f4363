package io.isola.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GuardSectionTest {
    private static final Path HOME = Path.of("/home/alice");

    private static Policy parse(String toml) {
        return PolicyFile.parse(toml, "p.toml", HOME);
    }

    @Test
    void aPolicyWithoutGuardWatchesNothing() {
        assertThat(parse("version = 1\n").guard()).isEqualTo(GuardRules.NONE);
        assertThat(PolicyFile.builtIn(HOME).guard().paths()).isEmpty();
    }

    @Test
    void readsPlacesAllowedProgramsMarkPlacesAndOverload() {
        GuardRules g = parse("""
                [guard]
                paths = ["/home", "/tmp/../media"]
                allow = ["/usr/bin/restic"]
                mark = ["~/Downloads"]
                on-overload = "allow"
                answer-within = "200ms"
                """).guard();

        assertThat(g.paths()).containsExactly(Path.of("/home"), Path.of("/media"));
        assertThat(g.allow()).containsExactly(Path.of("/usr/bin/restic"));
        assertThat(g.mark()).containsExactly(HOME.resolve("Downloads"));
        assertThat(g.denyOnOverload()).isFalse();
        assertThat(g.answerWithin()).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void overloadDeniesUnlessToldOtherwise() {
        assertThat(parse("[guard]\npaths = [\"/home\"]\n").guard().denyOnOverload())
                .isTrue();
    }

    @Test
    void eachMistakeIsOneLineWithItsLine() {
        assertThatThrownBy(() -> parse("[guard]\npaths = [\"/\"]\n"))
                .hasMessageStartingWith("p.toml:2: the guard " + "cannot watch /");
        assertThatThrownBy(() -> parse("[guard]\npaths = [\"home\"]\n"))
                .hasMessage("p.toml:2: 'home' must be " + "absolute or start with ~/");
        assertThatThrownBy(() -> parse("[guard]\n\nallow = [\"restic\"]\n"))
                .hasMessageStartingWith("p.toml:3: " + "'restic' must be the absolute path of an executable");
        assertThatThrownBy(() -> parse("[guard]\non-overload = \"maybe\"\n"))
                .hasMessage("p.toml:2: on-overload " + "must be \"deny\" or \"allow\", not \"maybe\"");
        assertThatThrownBy(() -> parse("[guard]\nanswer-within = \"1m\"\n"))
                .hasMessageStartingWith("p.toml:2: " + "answer-within must be above 0 and at most 10s");
        assertThatThrownBy(() -> parse("[guard]\nwatch = []\n"))
                .hasMessageStartingWith("p.toml:2: unknown key " + "'watch' in [guard]");
        assertThatThrownBy(() -> parse("[guard]\npaths = \"/home\"\n"))
                .hasMessageStartingWith("p.toml:2: paths " + "must be a list of strings");
        assertThatThrownBy(() -> parse("guard = 1\n")).hasMessage("p.toml:1: guard is written as a [guard] table");
    }
}
