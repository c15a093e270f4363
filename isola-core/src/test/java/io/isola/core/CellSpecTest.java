package io.isola.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CellSpecTest {
    private static CellSpec spec(List<String> command, Map<String, String> env, List<ViewEntry> view) {
        return new CellSpec("sandbox", "host", command, env, view, Path.of("/"), Network.NONE, Limits.DEFAULT);
    }

    @Test
    void rejectsAnEmptyCommandWithUsageExitCode() {
        assertThatThrownBy(() -> spec(List.of(), Map.of(), List.of()))
                .isInstanceOfSatisfying(
                        IsolaException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("no command given");
    }

    @Test
    void rejectsAMissingCommandWithUsageExitCode() {
        assertThatThrownBy(() -> spec(null, Map.of(), List.of()))
                .isInstanceOfSatisfying(
                        IsolaException.class, e -> assertThat(e.exitCode()).isEqualTo(2));
    }

    @Test
    void keepsItsOwnCopiesOfCommandEnvironmentAndView() {
        List<String> command = new ArrayList<>(List.of("/bin/echo", "hi"));
        Map<String, String> env = new HashMap<>(Map.of("A", "1"));
        List<ViewEntry> view = new ArrayList<>(
                List.of(new ViewEntry(Path.of("/srv/data"), Path.of("/data"), ViewEntry.Access.READ_ONLY)));
        CellSpec spec = spec(command, env, view);

        command.add("injected");
        env.put("B", "2");
        view.clear();

        assertThat(spec.command()).containsExactly("/bin/echo", "hi");
        assertThat(spec.env()).containsOnlyKeys("A");
        assertThat(spec.view()).hasSize(1);
        assertThatThrownBy(() -> spec.command().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
