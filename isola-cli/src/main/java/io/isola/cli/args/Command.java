package io.isola.cli.args;

import java.util.List;

/** A verb of the isola command line. */
public interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** Lines that follow the usage line in --help. */
    List<String> description();

    List<Option> options();

    /** What follows the options in the usage line, e.g. {@code -- CMD [ARG...]}; empty when nothing does. */
    String operands();

    /**
     * Whether the first operand ends the options. True for commands whose operands are a task's argv ({@code isola
     * run CMD --flag}: {@code --flag} is CMD's); false, the default, lets options stand anywhere after the command,
     * GNU style ({@code isola trust explain FILE --json}). {@code --} ends the options either way.
     */
    default boolean optionsEndAtFirstOperand() {
        return false;
    }

    /**
     * Whether {@code next}, the word after an option whose value may be left out ({@link Option#optional}), is its
     * value rather than an operand: a command answers only for words that cannot be a file, so none is swallowed.
     */
    default boolean isOptionalValue(Option option, String next) {
        return false;
    }

    /** Receives one option; {@code value} is null for a flag (and for an optional value left out). */
    void set(Option option, String value) throws UsageException;

    /** Receives what follows the options. */
    void operands(List<String> operands) throws UsageException;

    /** Runs the command and returns the process exit code. */
    int call() throws Exception;
}
