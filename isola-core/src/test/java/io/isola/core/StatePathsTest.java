package io.isola.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatePathsTest {
    @Test
    void isolaStateDirOverridesForRootAndUsers() {
        Map<String, String> env = Map.of("ISOLA_STATE_DIR", "/srv/isola-state", "XDG_STATE_HOME", "/home/me/.st");
        assertThat(StatePaths.fromEnvironment(env, true).root()).isEqualTo(Path.of("/srv/isola-state"));
        assertThat(StatePaths.fromEnvironment(env, false).root()).isEqualTo(Path.of("/srv/isola-state"));
    }

    @Test
    void aRelativeOverrideBecomesAbsolute() {
        Path root = StatePaths.fromEnvironment(Map.of("ISOLA_STATE_DIR", "rel/state"), false)
                .root();
        assertThat(root).isAbsolute().isEqualTo(Path.of("rel/state").toAbsolutePath());
    }

    @Test
    void aBlankOverrideIsIgnored() {
        assertThat(StatePaths.fromEnvironment(Map.of("ISOLA_STATE_DIR", "  "), true)
                        .root())
                .isEqualTo(Path.of("/var/lib/isola"));
    }

    @Test
    void rootDefaultsToVarLibIsolaWhateverXdgSays() {
        assertThat(StatePaths.fromEnvironment(Map.of("XDG_STATE_HOME", "/home/me/.st"), true)
                        .root())
                .isEqualTo(Path.of("/var/lib/isola"));
    }

    @Test
    void aUserGetsXdgStateHome() {
        assertThat(StatePaths.fromEnvironment(Map.of("XDG_STATE_HOME", "/home/me/.st", "HOME", "/home/me"), false)
                        .root())
                .isEqualTo(Path.of("/home/me/.st/isola"));
    }

    @Test
    void aUserWithoutXdgGetsTheXdgDefaultUnderHome() {
        assertThat(StatePaths.fromEnvironment(Map.of("HOME", "/home/me"), false).root())
                .isEqualTo(Path.of("/home/me/.local/state/isola"));
        assertThat(StatePaths.fromEnvironment(Map.of("HOME", "/home/me", "XDG_STATE_HOME", ""), false)
                        .root())
                .isEqualTo(Path.of("/home/me/.local/state/isola"));
    }

    @Test
    void filesLiveUnderTheRoot() {
        StatePaths p = new StatePaths(Path.of("/s"));
        assertThat(p.auditLog()).isEqualTo(Path.of("/s/audit.jsonl"));
        assertThat(p.runDir()).isEqualTo(Path.of("/s/run"));
        assertThat(p.images()).isEqualTo(Path.of("/s/images"));
    }
}
