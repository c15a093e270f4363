package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.service.Protocol;
import io.isola.service.ServiceClient;
import java.util.List;

/** {@code isola kill CELL}: stops one of your cells in the Isola service. */
final class KillCommand implements Command {
    private String cell;

    @Override
    public String name() {
        return "kill";
    }

    @Override
    public String summary() {
        return "stop one of your cells in the Isola service";
    }

    @Override
    public List<String> description() {
        return List.of(
                "Kills every process of CELL (as isola ps names it), which must be yours (root: anyone's).",
                "Its command then ends as if killed; exit code 1 when no such cell of yours runs.");
    }

    @Override
    public List<Option> options() {
        return List.of();
    }

    @Override
    public String operands() {
        return "CELL";
    }

    @Override
    public void set(Option o, String v) {
        throw new IllegalStateException("kill has no options");
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (operands.size() != 1) {
            throw new UsageException("use: isola kill CELL (isola ps lists your cells)");
        }
        cell = Operands.nonEmpty(operands.get(0), "kill needs a CELL");
    }

    @Override
    public int call() {
        return DaemonClient.cells(ServiceClient.request(Protocol.KILL).add(Protocol.CELL, cell));
    }
}
