package io.isola.cli;

import io.isola.cli.args.BashCompletion;
import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.cli.args.ZshCompletion;
import java.util.List;

/**
 * {@code isola completion bash|zsh}: prints the shell's completion script, written from {@link Main#commands()} at
 * the moment it runs, so it always matches this isola's commands and options.
 */
final class CompletionCommand implements Command {
    private String shell;

    @Override
    public String name() {
        return "completion";
    }

    @Override
    public String summary() {
        return "print the shell completion script for bash or zsh";
    }

    @Override
    public List<String> description() {
        return List.of(
                "Prints a script that completes isola's commands, options, and files where a file is expected.",
                "dev/install installs both; without it, load it for this shell with:",
                "",
                "  source <(isola completion bash)        # bash, e.g. in ~/.bashrc",
                "  isola completion zsh > ~/.zfunc/_isola  # zsh, with ~/.zfunc in $fpath before compinit");
    }

    @Override
    public List<Option> options() {
        return List.of();
    }

    @Override
    public String operands() {
        return "bash|zsh";
    }

    @Override
    public void set(Option option, String value) {
        throw new IllegalStateException("completion has no options");
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (operands.size() != 1 || !List.of("bash", "zsh").contains(operands.get(0))) {
            throw new UsageException("use: isola completion bash or isola completion zsh");
        }
        shell = operands.get(0);
    }

    @Override
    public int call() {
        if (shell.equals("bash")) {
            BashCompletion.write(Main.commands(), System.out);
        } else {
            ZshCompletion.write(Main.commands(), System.out);
        }
        return 0;
    }
}
