package io.isola.cli;

import io.isola.core.IsolaException;
import io.isola.core.TerminalText;
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

/** {@code isola net explain}'s work: the proxy's decision on a target, in text or JSON. */
final class NetExplain {
    private final String target;
    private final TrustLevel level;
    private final boolean json;

    NetExplain(String target, TrustLevel level, boolean json) {
        this.target = target;
        this.level = level;
        this.json = json;
    }

    int run(Policy p) throws IOException {
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
            System.out.println("  " + d.address().getHostAddress() + ": " + (d.allowed() ? "allowed" : "blocked") + ": "
                    + TerminalText.escape(d.rule()));
        }
        System.out.println("  policy: " + p.source());
    }
}
