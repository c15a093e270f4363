package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code isola completion bash|zsh}, loaded into the real shells: what bash offers is checked against the same command
 * list --help prints, so an option added to a command is offered without anyone writing it down twice.
 */
class CompletionTest {
    static Path work;
    static Path bash;
    static Cli cli;

    @BeforeAll
    static void setUp() throws IOException {
        work = Files.createTempDirectory("isola-completion");
        cli = new Cli(work.resolve("state"));
        Cli.Result r = cli.run("completion", "bash");
        assertThat(r.code()).as(r.err()).isZero();
        bash = Files.writeString(work.resolve("isola.bash"), r.out());
        Files.createDirectories(work.resolve("files/reports"));
        Files.writeString(work.resolve("files/report.pdf"), "%PDF-1.4\n");
    }

    @AfterAll
    static void tearDown() {
        Cleanup.deleteTree(work);
    }

    private static List<String> complete(String... words) {
        return Shell.bashCompletions(bash, work.resolve("files"), words);
    }

    @Test
    void theFirstWordIsACommand() {
        assertThat(complete("isola", ""))
                .contains("run", "open", "trust", "policy", "doctor", "completion")
                .containsAll(Main.commands().stream().map(Command::name).toList());
        assertThat(complete("isola", "po")).containsExactly("policy");
    }

    @Test
    void eachCommandOffersEveryOptionItsHelpLists() {
        assertThat(complete("isola", "run", "--")).contains("--ro", "--rw", "--env", "--timeout", "--help");
        for (Command c : Main.commands()) {
            List<String> offered = complete("isola", c.name(), "-");
            for (Option o : c.options()) {
                assertThat(offered).as("isola %s -<TAB>", c.name()).containsAll(o.names());
            }
            assertThat(offered).as(c.name()).contains("--help");
        }
    }

    @Test
    void pathValuesAndOperandsCompleteFiles() {
        assertThat(complete("isola", "run", "--ro", "rep")).containsExactlyInAnyOrder("report.pdf", "reports");
        assertThat(complete("isola", "run", "--workdir", "rep")).containsExactly("reports"); // DIR: directories only
        assertThat(complete("isola", "open", "--view", "rep")).contains("report.pdf");
        assertThat(complete("isola", "trust", "--json", "explain", "rep")).contains("report.pdf");
        assertThat(complete("isola", "policy", "check", "rep")).contains("report.pdf");
    }

    @Test
    void verbsAndCommandsCompleteByPosition() {
        assertThat(complete("isola", "trust", "")).containsExactly("explain");
        assertThat(complete("isola", "policy", "")).containsExactly("check", "show");
        assertThat(complete("isola", "completion", "")).containsExactly("bash", "zsh");
        // an option's value is skipped when counting operands; the task's command is looked up on the PATH
        assertThat(complete("isola", "run", "--memory", "256M", "--", "sh")).contains("sh");
        assertThat(complete("isola", "run", "--memory", "")).isEmpty(); // a SIZE: nothing to offer
        // after the task's command, everything is the task's: its arguments, not isola's options, are completed
        assertThat(complete("isola", "run", "cat", "--")).doesNotContain("--ro");
        assertThat(complete("isola", "run", "cat", "rep")).contains("report.pdf");
    }

    @Test
    void theZshFunctionLoadsIntoZsh() throws IOException {
        assumeTrue(Shell.has("zsh"), "zsh is not installed (dev/lib.sh installs it): the zsh script is not checked");
        Cli.Result r = cli.run("completion", "zsh");
        assertThat(r.code()).as(r.err()).isZero();
        Path dir = Files.createDirectories(work.resolve("zsh"));
        Files.writeString(dir.resolve("_isola"), r.out());
        Shell.Result syntax = Shell.run(dir, Map.of(), "zsh", "-n", "_isola");
        assertThat(syntax.code()).as(syntax.err()).isZero();
        // compinit reads #compdef from every file of $fpath: isola must be bound to _isola
        Shell.Result bound = Shell.run(
                dir,
                Map.of("HOME", dir.toString()),
                "zsh",
                "-f",
                "-c",
                "fpath=($PWD $fpath); autoload -U compinit; compinit -u -d $PWD/.zcompdump; print -r -- $_comps[isola]");
        assertThat(bound.out().strip()).as(bound.err()).isEqualTo("_isola");
    }
}
