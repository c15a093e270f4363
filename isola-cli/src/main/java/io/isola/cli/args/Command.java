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

    /** Receives one option; {@code value} is null for a flag. */
    void set(Option option, String value) throws UsageException;

    /** Receives what follows the options. */
    void operands(List<String> operands) throws UsageException;

    /** Runs the command and returns the process exit code. */
    int call() throws Exception;
}
