package io.isola.cli;

import io.isola.cli.args.UsageException;

/** Checks on what follows a command's options. */
final class Operands {
    private Operands() {}

    /**
     * Refuses an empty operand, which as a path would quietly mean the current directory.
     *
     * @param need what the command needs, e.g. "open needs a FILE or URL"
     */
    static String nonEmpty(String operand, String need) throws UsageException {
        if (operand.isEmpty()) {
            throw new UsageException(need + ", not an empty string");
        }
        return operand;
    }
}
