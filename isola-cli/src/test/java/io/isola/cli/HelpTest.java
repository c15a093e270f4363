package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.cli.args.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every command's --help is the first thing a new user runs: it prints its options and exits 0, for all of them. */
class HelpTest {
    static Path state;
    static Cli cli;

    @BeforeAll
    static void setUp() throws IOException {
        state = Files.createTempDirectory("isola-help-state");
        cli = new Cli(state);
    }

    @AfterAll
    static void tearDown() {
        Cleanup.deleteTree(state);
    }

    @Test
    void everyCommandPrintsItsHelp() {
        for (Command c : Main.commands()) {
            Cli.Result r = cli.run(c.name(), "--help");
            assertThat(r.code()).as("isola %s --help: %s", c.name(), r.err()).isZero();
            assertThat(r.err()).as(c.name()).isEmpty();
            assertThat(r.out())
                    .as(c.name())
                    .startsWith("Usage: isola " + c.name())
                    .contains("-h, --help");
        }
    }

    @Test
    void theTopLevelHelpNamesEveryCommand() {
        Cli.Result r = cli.run("--help");
        assertThat(r.code()).isZero();
        // the summaries start in one column, however long a command's name
        List<Integer> columns = new ArrayList<>();
        for (Command c : Main.commands()) {
            String line = r.out()
                    .lines()
                    .filter(l -> l.startsWith("  " + c.name() + " "))
                    .findFirst()
                    .orElseThrow();
            columns.add(line.indexOf(c.summary()));
        }
        assertThat(columns).as(r.out()).containsOnly(columns.get(0));
    }
}
