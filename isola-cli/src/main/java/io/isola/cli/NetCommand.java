package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.TerminalText;
import io.isola.core.trust.TrustLevel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code isola net explain URL|HOST[:PORT]}: whether a cell of a level may reach a destination, and by which rule. */
final class NetCommand implements Command {
    private static final Option POLICY = Option.value("--policy", "FILE", "policy file to judge by");
    private static final Option LEVEL =
            Option.value("--level", "NAME", "trust level of the cell: untrusted " + "(default) or trusted");
    private static final Option JSON = Option.flag("--json", "print one JSON object instead of text");

    private Path policy;
    private TrustLevel level = TrustLevel.UNTRUSTED;
    private boolean json;
    private String target;

    @Override
    public String name() {
        return "net";
    }

    @Override
    public String summary() {
        return "explain whether a cell may reach a host, and why";
    }

    @Override
    public List<String> description() {
        return List.of(
                "isola net explain URL|HOST[:PORT] resolves the host through Isola's own resolver (ISOLA_DNS,",
                "else /etc/resolv.conf) and prints what the network proxy decides for a cell of the level: allowed or",
                "blocked, and the rule, for the name and each of its addresses. Without a port, HOST means port 443.",
                "Exit code 0 when allowed, 1 when blocked, 2 for bad usage.");
    }

    @Override
    public List<Option> options() {
        return List.of(POLICY, LEVEL, JSON);
    }

    @Override
    public String operands() {
        return "explain URL|HOST[:PORT]";
    }

    @Override
    public void set(Option o, String v) throws UsageException {
        switch (o.name()) {
            case "--policy" -> policy = Path.of(v);
            case "--json" -> json = true;
            default -> {
                level = TrustLevel.parse(v);
                if (level == null) {
                    throw new UsageException(
                            "--level must be untrusted or trusted, not '" + TerminalText.printable(v) + "'");
                }
            }
        }
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (operands.isEmpty() || !operands.get(0).equals("explain")) {
            throw new UsageException("use: isola net explain URL|HOST[:PORT]");
        }
        // options may also follow the target, as the issue writes it: isola net explain HOST --level trusted
        for (int i = 1; i < operands.size(); i++) {
            String a = operands.get(i);
            Option o = a.startsWith("--")
                    ? options().stream()
                            .filter(x -> x.name().equals(a.split("=", 2)[0]))
                            .findFirst()
                            .orElse(null)
                    : null;
            if (o == JSON && !a.contains("=")) {
                set(o, null);
            } else if (o != null && o != JSON) {
                String v = a.contains("=")
                        ? a.substring(a.indexOf('=') + 1)
                        : i + 1 < operands.size() ? operands.get(++i) : null;
                if (v == null) {
                    throw new UsageException(o.name() + " needs a value");
                }
                set(o, v);
            } else if (target == null) {
                target = Operands.nonEmpty(a, "net explain needs a URL or HOST[:PORT]");
            } else {
                throw new UsageException("use: isola net explain URL|HOST[:PORT] (one target)");
            }
        }
        if (target == null) {
            throw new UsageException("use: isola net explain URL|HOST[:PORT]");
        }
    }

    @Override
    public int call() throws IOException {
        // The explanation lives in a class of its own, so that listing the commands (every start of isola) never
        // loads the proxy's classes: only `isola net` does.
        return new NetExplain(target, level, json).run(Policies.load(policy));
    }
}
