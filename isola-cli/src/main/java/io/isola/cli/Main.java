package io.isola.cli;

import io.isola.core.IsolaException;
import picocli.CommandLine;

/** Entry point: picocli parses, and every failure becomes one line on stderr and a meaningful exit code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        CommandLine cli = new CommandLine(new IsolaCommand());
        cli.setParameterExceptionHandler((ex, a) -> {
            String sub = ex.getCommandLine().getCommandName();
            System.err.println("isola: " + ex.getMessage() + " (see: isola " + ("isola".equals(sub) ? "" : sub + " ")
                    + "--help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IsolaException ie) {
                System.err.println("isola: " + ie.getMessage());
                return ie.exitCode();
            }
            System.err.println("isola: internal error: " + ex
                    + " (please report it with the command you ran; set ISOLA_DEBUG=1 for details)");
            if (System.getenv("ISOLA_DEBUG") != null) {
                ex.printStackTrace();
            }
            return IsolaException.ISOLA_FAILED;
        });
        return cli.execute(args);
    }
}
