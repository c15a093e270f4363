package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.policy.Policy;
import io.isola.guard.GuardExplain;
import io.isola.task.TrustReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code isola trust explain PATH|URL}: whether a target is trusted, and which rule or mark decided. */
final class TrustCommand implements Command {
    private static final Option POLICY = Option.value("--policy", "FILE", "policy file to judge by");
    private static final Option STATE = Option.value("--state-dir", "DIR", "state directory (holds the seal key)");
    private static final Option JSON = Option.flag("--json", "print one JSON object instead of text");
    private static final Option NO_DAEMON = DaemonClient.NO_DAEMON;

    private Path policy;
    private Path stateDir;
    private boolean json;
    private boolean noDaemon;
    private String target;

    @Override
    public String name() {
        return "trust";
    }

    @Override
    public String summary() {
        return "explain whether a file or link is trusted, and why";
    }

    @Override
    public List<String> description() {
        return List.of(
                "isola trust explain PATH|URL prints the trust level Isola gives the target, the rule or taint",
                "mark that decided, the file's detected type, each piece of evidence weighed (its place and every",
                "origin mark: the least trusted wins) and its marks. Exit code 0 when trusted, 1 when not.");
    }

    @Override
    public List<Option> options() {
        return List.of(POLICY, STATE, JSON, NO_DAEMON);
    }

    @Override
    public String operands() {
        return "explain PATH|URL";
    }

    @Override
    public void set(Option o, String v) {
        switch (o.name()) {
            case "--policy" -> policy = Path.of(v);
            case "--json" -> json = true;
            case "--no-daemon" -> noDaemon = true;
            default -> stateDir = Path.of(v);
        }
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (operands.size() != 2 || !operands.get(0).equals("explain")) {
            throw new UsageException("use: isola trust explain PATH|URL");
        }
        target = Operands.nonEmpty(operands.get(1), "trust explain needs a PATH or URL");
    }

    @Override
    public int call() throws IOException {
        Integer viaDaemon = noDaemon || policy != null || stateDir != null ? null : DaemonClient.trust(target, json);
        if (viaDaemon != null) {
            return viaDaemon;
        }
        Policy p = Policies.load(policy);
        Path state = Session.paths(stateDir).root();
        return TrustReport.explain(
                target,
                json,
                p,
                TaskSession.seal(state),
                System.out,
                (classifier, real) -> GuardExplain.explain(p, classifier, real, state));
    }
}
