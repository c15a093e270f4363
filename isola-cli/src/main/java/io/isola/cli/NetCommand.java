package io.isola.cli;

import io.isola.core.TerminalText;
import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.IsolaException;
import io.isola.core.output.Harvester;
import io.isola.core.policy.NetworkAccess;
import io.isola.core.policy.Policy;
import io.isola.core.trust.TrustLevel;
import io.isola.net.Decider;
import io.isola.net.Decision;
import io.isola.net.DnsResolver;
import io.isola.net.Explanation;
import io.isola.net.LinuxHostFacts;
import io.isola.net.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code isola net explain URL|HOST[:PORT]}: whether a cell of a level may reach a destination, and by which rule. */
final class NetCommand implements Command {
    private static final Option POLICY = Option.value("--policy", "FILE", "policy file to judge by");
    private static final Option LEVEL = Option.value("--level", "NAME", "trust level of the cell: untrusted "
            + "(default) or trusted");
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
        return List.of("isola net explain URL|HOST[:PORT] resolves the host through Isola's own resolver (ISOLA_DNS,",
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
                    throw new UsageException("--level must be untrusted or trusted, not '" + TerminalText.printable(v)
                            + "'");
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
            Option o = a.startsWith("--") ? options().stream().filter(x -> x.name().equals(a.split("=", 2)[0]))
                    .findFirst().orElse(null) : null;
            if (o == JSON && !a.contains("=")) {
                set(o, null);
            } else if (o != null && o != JSON) {
                String v = a.contains("=") ? a.substring(a.indexOf('=') + 1) : i + 1 < operands.size()
                        ? operands.get(++i) : null;
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
        Policy p = Policies.load(policy);
        NetworkAccess access = p.network().access(level);
        Explanation e;
        try {
            e = Explanation.of(target, access, new Decider(p.network(), new LinuxHostFacts()), name -> {
                try {
                    return DnsResolver.fromEnvironment(System.getenv()).resolve(name);
                } catch (IllegalArgumentException bad) {
                    throw new IsolaException(bad.getMessage(), 2);
                }
            });
        } catch (Target.Refused r) {
            throw new IsolaException("'" + TerminalText.printable(target) + "' cannot be judged: " + r.getMessage(), 2);
        }
        print(e, p);
        return e.verdict().allowed() ? 0 : 1;
    }

    private void print(Explanation e, Policy p) throws IOException {
        String word = e.verdict().allowed() ? "allowed" : "blocked";
        if (json) {
            var w = new java.io.StringWriter();
            try (var g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(w)) {
                g.writeStartObject();
                g.writeStringField("target", e.target().authority());
                g.writeStringField("level", level.word());
                g.writeStringField("network", e.level().word());
                g.writeStringField("decision", word);
                g.writeStringField("rule", e.verdict().rule());
                g.writeArrayFieldStart("addresses");
                for (Decision d : e.perAddress()) {
                    g.writeStartObject();
                    g.writeStringField("address", d.address().getHostAddress());
                    g.writeStringField("decision", d.allowed() ? "allowed" : "blocked");
                    g.writeStringField("rule", d.rule());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeStringField("policy", p.source());
                g.writeEndObject();
            }
            System.out.println(w);
            return;
        }
        System.out.println(e.target().authority() + ": " + word + " for " + level.word() + " cells (network "
                + e.level().word() + ")");
        System.out.println("  because " + TerminalText.escape(e.verdict().rule()));
        for (Decision d : e.perAddress()) {
            System.out.println("  " + d.address().getHostAddress() + ": " + (d.allowed() ? "allowed" : "blocked")
                    + ": " + TerminalText.escape(d.rule()));
        }
        System.out.println("  policy: " + p.source());
    }
}
