package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** isola(1), as {@code isola help --man} writes it and {@code man} shows it: every command and option, no warning. */
class ManPageTest {
    static Path work;
    static Cli cli;

    @BeforeAll
    static void setUp() throws IOException {
        work = Files.createTempDirectory("isola-man");
        cli = new Cli(work.resolve("state"));
    }

    @AfterAll
    static void tearDown() {
        Cleanup.deleteTree(work);
    }

    @Test
    void manShowsEveryCommandAndOptionWithoutAWarning() throws IOException {
        assumeTrue(
                Shell.has("man") && Shell.has("groff"),
                "man-db or groff-base is not installed (dev/lib.sh " + "installs them): the man page is not rendered");
        Cli.Result r = cli.run("help", "--man");
        assertThat(r.code()).as(r.err()).isZero();
        Path page = Files.writeString(work.resolve("isola.1"), r.out());
        Shell.Result shown = Shell.man(page);
        assertThat(shown.code()).as(shown.err()).isZero();
        assertThat(shown.err()).isEmpty();
        String text = shown.out().replaceAll("\\s+", " ").replace("\u2010", "-").replace("\u2212", "-");
        assertThat(text).contains("NAME isola - runs every untrusted task", "EXIT STATUS", "ENVIRONMENT");
        for (Command c : Main.commands()) {
            assertThat(text)
                    .contains("isola " + c.name() + " [OPTIONS]" + (c.operands().isEmpty() ? "" : " " + c.operands()));
            for (Option o : c.options()) {
                assertThat(text)
                        .as("%s %s", c.name(), o.name())
                        .contains(String.join(", ", o.names()) + (o.takesValue() ? " " + o.label() : ""));
            }
        }
    }

    @Test
    void groffFindsNothingToWarnAbout() throws IOException {
        assumeTrue(Shell.has("groff"), "groff-base is not installed (dev/lib.sh installs it)");
        Cli.Result r = cli.run("help", "--man");
        Path page = Files.writeString(work.resolve("strict.1"), r.out());
        Shell.Result checked =
                Shell.run(work, java.util.Map.of(), "groff", "-man", "-Tutf8", "-ww", "-z", page.toString());
        assertThat(checked.err()).isEmpty();
        assertThat(checked.code()).isZero();
    }

    @Test
    void theManOptionIsNotACommand() {
        Cli.Result r = cli.run("--help");
        assertThat(r.out()).doesNotContain("--man");
    }
}
