package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.Host;
import io.isola.core.policy.LevelSettings;
import io.isola.core.policy.Policy;
import io.isola.core.policy.PolicyCheck;
import io.isola.core.policy.Problems;
import io.isola.core.policy.Rule;
import io.isola.core.trust.TrustLevel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code isola policy check|show [FILE]}: validate a policy, or print its rules in the order they apply. */
final class PolicyCommand implements Command {
    private static final Option JSON = Option.flag("--json", "print one JSON object instead of text");

    private String action;
    private Path file;
    private boolean json;

    @Override
    public String name() {
        return "policy";
    }

    @Override
    public String summary() {
        return "check a policy file, or show its rules in the order they apply";
    }

    @Override
    public List<String> description() {
        return List.of(
                "isola policy check [FILE]  validates FILE (default: the policy in use) and the programs of",
                "                           its handlers; each error is one line, FILE:LINE: what is wrong and",
                "                           what to do, and the exit code is 2",
                "isola policy show [FILE]   prints the rules in order (the first match wins) and each level's",
                "                           engine, image, limits, persistence and handlers",
                "examples/policy.toml documents every key; docs/trust.md the --json shapes.");
    }

    @Override
    public List<Option> options() {
        return List.of(JSON);
    }

    @Override
    public String operands() {
        return "check|show [FILE]";
    }

    @Override
    public void set(Option o, String v) {
        json = true;
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (operands.isEmpty() || !List.of("check", "show").contains(operands.get(0)) || operands.size() > 2) {
            throw new UsageException("use: isola policy check [FILE] or isola policy show [FILE]");
        }
        action = operands.get(0);
        file = operands.size() == 2
                ? Path.of(Operands.nonEmpty(operands.get(1), "policy " + action + " needs a FILE"))
                : null;
    }

    @Override
    public int call() throws IOException {
        PolicyCheck c = Policies.check(file);
        if (action.equals("check")) {
            return check(PolicyReport.of(c));
        }
        if (!c.ok()) {
            c.problems().forEach(System.err::println); // no rules to show: say what to fix, as check does
            return 2;
        }
        if (json) {
            System.out.println(PolicyJson.show(c.policy(), c.definedHandlers()));
        } else {
            show(c.policy(), c);
        }
        return 0;
    }

    private int check(PolicyReport r) throws IOException {
        if (json) {
            System.out.println(PolicyJson.check(r));
            return r.ok() ? 0 : 2;
        }
        // errors as compilers write them, so editors can jump to the line
        for (Problems.Problem e : r.errors()) {
            System.err.println(e);
        }
        r.notes().forEach(n -> System.out.println("note: " + n));
        String source = r.check().source();
        if (!r.ok()) {
            System.err.println("isola: " + r.errors().size() + " error(s) in " + source + ": fix them and run isola "
                    + "policy check again");
            return 2;
        }
        warnAboutCpus(r.check().policy());
        System.out.println(
                source + ": ok, " + r.check().policy().rules().size() + " rule(s); anything else is untrusted");
        return 0;
    }

    private void show(Policy p, PolicyCheck c) {
        System.out.println("policy: " + p.source());
        System.out.println("rules, first match wins:");
        int i = 1;
        for (Rule r : p.rules()) {
            System.out.println("  " + i++ + ". " + r.name() + " (line " + r.line() + "): " + r.describe());
        }
        System.out.println("  " + i + ". anything else: untrusted (built in, cannot be changed)");
        for (TrustLevel t : List.of(TrustLevel.UNTRUSTED, TrustLevel.TRUSTED)) {
            LevelSettings l = p.level(t);
            var lim = l.limits();
            System.out.println(t.word() + ": engine " + l.engine() + ", image " + l.image() + ", persistence "
                    + l.persistence().word() + ", memory " + (lim.memoryBytes() >> 20) + "M, pids " + lim.maxPids()
                    + ", cpus " + lim.cpus() + ", disk " + (lim.diskBytes() >> 20) + "M"
                    + (lim.timeout() == null ? "" : ", timeout " + lim.timeout().toSeconds() + "s")
                    + ", output " + l.quota().maxFiles() + " files / "
                    + (l.quota().maxBytes() >> 20) + "M"
                    + ", network " + p.network().access(t).word());
            System.out.println("  handlers ("
                    + (c.definedHandlers().contains(t)
                            ? "the policy's; they replace the " + "built-in ones"
                            : "built-in: the policy defines none")
                    + "):");
            for (Map.Entry<String, List<String>> h : l.handlers().entrySet()) {
                System.out.println("    " + h.getKey() + ": " + String.join(" ", h.getValue()));
            }
            System.out.println("  window handlers (isola open --window):");
            for (Map.Entry<String, List<String>> h : l.windowHandlers().entrySet()) {
                System.out.println("    " + h.getKey() + ": " + String.join(" ", h.getValue()));
            }
        }
        NetworkShow.print(p.network());
        if (file == null) {
            DaemonClient.policyStatus(); // a running daemon may judge by another file, or have refused a change
        }
    }

    /**
     * A policy is written for many machines, so a CPU share above this one's is not an error; but it must not pass
     * silently either: the kernel gives a cell at most the CPUs there are.
     */
    private static void warnAboutCpus(Policy p) {
        int here = Host.cpus();
        for (TrustLevel t : List.of(TrustLevel.UNTRUSTED, TrustLevel.TRUSTED)) {
            double cpus = p.level(t).limits().cpus();
            if (cpus > here) {
                System.err.println("isola: warning: level " + t.word() + " asks for cpus " + cpus
                        + " but this machine has " + here + " CPU(s): its cells get at most " + here + " here");
            }
        }
    }
}
