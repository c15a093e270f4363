package io.isola.cli;

import picocli.CommandLine.Command;

@Command(name = "isola", mixinStandardHelpOptions = true, version = "isola 0.1.0",
        description = "Runs every untrusted task in its own disposable cell.",
        subcommands = {RunCommand.class, DoctorCommand.class, BenchCommand.class},
        commandListHeading = "%nCommands:%n",
        footer = {"", "Exit codes: the task's own code; 128+N when it died of signal N; 2 for bad usage; "
                + "125 when Isola itself failed; 127 when the command is not in the cell."})
final class IsolaCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
