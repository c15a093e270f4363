package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.service.Protocol;
import io.isola.service.ServiceClient;
import java.util.List;

/** {@code isola ps}: the cells the Isola service runs for you (for root: everyone's). */
final class PsCommand implements Command {
    private static final Option JSON = Option.flag("--json", "print a JSON array instead of a table");
    private boolean json;

    @Override
    public String name() {
        return "ps";
    }

    @Override
    public String summary() {
        return "list your cells running in the Isola service";
    }

    @Override
    public List<String> description() {
        return List.of(
                "Lists the cells the Isola service (isola daemon) runs for you: id, user, engine, age and",
                "command. Root sees every user's; anyone else only their own.");
    }

    @Override
    public List<Option> options() {
        return List.of(JSON);
    }

    @Override
    public String operands() {
        return "";
    }

    @Override
    public void set(Option o, String v) {
        json = true;
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (!operands.isEmpty()) {
            throw new UsageException("ps takes no operands");
        }
    }

    @Override
    public int call() {
        return DaemonClient.cells(ServiceClient.request(Protocol.PS).add(Protocol.JSON, Boolean.toString(json)));
    }
}
