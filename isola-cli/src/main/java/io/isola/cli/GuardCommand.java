package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.IsolaException;
import io.isola.core.audit.AuditLog;
import io.isola.core.policy.GuardRules;
import io.isola.core.policy.Policy;
import io.isola.core.policy.TrustClassifier;
import io.isola.guard.Guard;
import io.isola.guard.GuardBench;
import io.isola.guard.GuardStatus;
import io.isola.linux.LinuxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** {@code isola guard [run|status|bench]}: untrusted files open only in cells. */
final class GuardCommand implements Command {
    private static final Option POLICY = Option.value("--policy", "FILE", "policy file whose [guard] applies");
    private static final Option STATE = Option.value("--state-dir", "DIR", "state directory (record, status, audit)");
    private static final Option PATH = Option.value("--path", "DIR", "watch DIR instead of [guard] paths (repeat it)");
    private static final Option JSON = Option.flag("--json", "status as one JSON object");

    private Path policy;
    private Path stateDir;
    private final List<Path> paths = new ArrayList<>();
    private boolean json;
    private String action = "run";

    @Override
    public String name() {
        return "guard";
    }

    @Override
    public String summary() {
        return "keep untrusted files closed to host programs (fanotify; root)";
    }

    @Override
    public List<String> description() {
        return List.of(
                "isola guard [run] watches the places of the policy's [guard] paths in the foreground and",
                "refuses (EPERM) every host program but Isola's cells, Isola itself and [guard] allow the opening of",
                "a file with evidence of being untrusted; it marks files host programs create in [guard] mark places.",
                "isola guard status says what a running guard watches and counts; isola guard bench measures it.",
                "docs/guard.md explains the model and its limits.");
    }

    @Override
    public List<Option> options() {
        return List.of(POLICY, STATE, PATH, JSON);
    }

    @Override
    public String operands() {
        return "[run|status|bench]";
    }

    @Override
    public void set(Option o, String v) {
        switch (o.name()) {
            case "--policy" -> policy = Path.of(v);
            case "--path" -> paths.add(Path.of(v).toAbsolutePath().normalize());
            case "--json" -> json = true;
            default -> stateDir = Path.of(v);
        }
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (operands.size() > 1
                || (operands.size() == 1 && !List.of("run", "status", "bench").contains(operands.get(0)))) {
            throw new UsageException("use: isola guard [run|status|bench]");
        }
        if (operands.size() == 1) {
            action = operands.get(0);
        }
    }

    @Override
    public int call() throws Exception {
        Path state = Session.paths(stateDir).root();
        return switch (action) {
            case "status" -> status(state);
            case "bench" -> bench(state);
            default -> run(state);
        };
    }

    private int run(Path state) throws InterruptedException {
        Policy p = Policies.load(policy);
        GuardRules rules = paths.isEmpty() ? p.guard() : p.guard().watching(paths);
        if (rules.paths().isEmpty()) {
            throw new IsolaException(
                    "nothing to guard: add [guard] paths = [\"/home\", \"/tmp\"] to the policy (" + p.source()
                            + "), or give --path DIR",
                    2);
        }
        Guard guard;
        try {
            guard = Guard.start(
                    rules,
                    new TrustClassifier(p, TaskSession.seal(state)),
                    state,
                    AuditLog.open(state.resolve("audit.jsonl")));
        } catch (LinuxException e) {
            throw new IsolaException("cannot start the guard: " + e.getMessage() + " (it needs root: run it with "
                    + "sudo, on Linux 5.1 or later)");
        }
        if (guard.watching().isEmpty()) {
            guard.close();
            throw new IsolaException("none of the places to guard exists: " + rules.paths(), 2);
        }
        System.out.println("isola: guarding " + String.join(", ", guard.watching()) + " (Ctrl-C or SIGTERM stops; "
                + "opens are then allowed again)");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            guard.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    private int status(Path state) throws java.io.IOException {
        GuardStatus s = GuardStatus.read(state);
        if (s == null) {
            System.out.println("isola: no guard has run with state " + state + ": start one with sudo isola guard");
            return 1;
        }
        boolean running = s.running();
        if (json) {
            System.out.printf(
                    "{\"running\":%b,\"pid\":%d,\"since\":\"%s\",\"watching\":[%s],\"clean\":%d,"
                            + "\"callers\":%d,\"denied\":%d,\"overload\":%d,\"lookups\":%d,\"hits\":%d,\"marked\":%d,"
                            + "\"recorded\":%d}%n",
                    running,
                    s.pid(),
                    s.since(),
                    String.join(
                            ",",
                            s.watching().stream()
                                    .map(w -> "\"" + w.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                                    .toList()),
                    s.clean(),
                    s.callers(),
                    s.denied(),
                    s.overload(),
                    s.lookups(),
                    s.hits(),
                    s.marked(),
                    s.recorded());
            return running ? 0 : 1;
        }
        System.out.println("guard: "
                + (running
                        ? "running, pid " + s.pid() + ", since " + s.since()
                        : "not running (last seen as pid " + s.pid() + "): opens are not guarded"));
        System.out.println("  watching: " + (s.watching().isEmpty() ? "nothing" : String.join(", ", s.watching())));
        System.out.println("  allowed: " + s.clean() + " clean, " + s.callers() + " untrusted by cells, Isola or "
                + "allowed programs; denied: " + s.denied() + "; answered on overload: " + s.overload());
        System.out.printf(
                "  cache: %d of %d judgements (%.0f%%); marked on arrival: %d; recorded untrusted: %d%n",
                s.hits(), s.lookups(), 100 * s.hitRate(), s.marked(), s.recorded());
        return running ? 0 : 1;
    }

    private int bench(Path state) throws Exception {
        Path scratch = Files.createTempDirectory("isola-guard-bench");
        try {
            GuardBench.run(scratch, System.out);
        } finally {
            try (var walk = Files.walk(scratch)) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(f -> f.toFile().delete());
            }
        }
        return 0;
    }
}
