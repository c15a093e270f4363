package io.isola.cli;

import io.isola.core.TerminalText;
import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.IsolaException;
import io.isola.core.output.Harvester;
import io.isola.core.policy.Policy;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.policy.TrustClassifier.Verdict;
import io.isola.core.trust.Marks;
import io.isola.task.LinkTask;
import io.isola.task.TypeDetector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code isola trust explain PATH|URL}: whether a target is trusted, and which rule or mark decided. */
final class TrustCommand implements Command {
    private static final Option POLICY = Option.value("--policy", "FILE", "policy file to judge by");
    private static final Option STATE = Option.value("--state-dir", "DIR", "state directory (holds the seal key)");
    private static final Option JSON = Option.flag("--json", "print one JSON object instead of text");

    private Path policy;
    private Path stateDir;
    private boolean json;
    private String target;
    private String guard;

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
        return List.of("isola trust explain PATH|URL prints the trust level Isola gives the target, the rule or taint",
                "mark that decided, the file's detected type, each piece of evidence weighed (its place and every",
                "origin mark: the least trusted wins) and its marks. Exit code 0 when trusted, 1 when not.");
    }

    @Override
    public List<Option> options() {
        return List.of(POLICY, STATE, JSON);
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
        Policy p = Policies.load(policy);
        TrustClassifier classifier = new TrustClassifier(p, TaskSession.seal(Session.paths(stateDir).root()));
        Verdict v;
        if (LinkTask.isLink(target)) {
            var url = TrustClassifier.uri(target);
            if (url == null) {
                throw new IsolaException("'" + TerminalText.printable(target) + "' is not a URL: give e.g. "
                        + "https://example.com/", 2);
            }
            v = classifier.link(url);
            print(target, v, null, Map.of(), p);
        } else {
            Path file = Path.of(target).toAbsolutePath();
            Path real;
            try {
                real = file.toRealPath();
            } catch (NoSuchFileException e) {
                throw new IsolaException("no such file: " + file, 2);
            }
            if (!Files.isRegularFile(real)) {
                throw new IsolaException(file + " is not a regular file: trust is judged per file", 2);
            }
            Marks marks = Marks.read(real);
            String type = TypeDetector.detect(real, real.getFileName().toString());
            v = classifier.file(real, type, marks, io.isola.core.Sha256.of(real));
            guard = io.isola.guard.GuardExplain.explain(p, classifier, real, Session.paths(stateDir).root());
            print(file.toString(), v, type, marks.values(), p);
        }
        return v.level() == io.isola.core.trust.TrustLevel.TRUSTED ? 0 : 1;
    }

    private void print(String target, Verdict v, String type, Map<String, String> marks, Policy p)
            throws IOException {
        if (json) {
            var w = new java.io.StringWriter();
            try (var g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(w)) {
                g.writeStartObject();
                g.writeStringField("target", target);
                g.writeStringField("trust", v.level().word());
                g.writeStringField("reason", v.reason());
                g.writeStringField("rule", v.rule() == null ? null : v.rule().name());
                g.writeStringField("type", type);
                g.writeArrayFieldStart("evidence");
                for (Verdict.Evidence e : v.evidence()) {
                    g.writeStartObject();
                    g.writeStringField("source", e.source());
                    g.writeStringField("value", e.value());
                    g.writeStringField("trust", e.level().word());
                    g.writeStringField("reason", e.why());
                    g.writeBooleanField("decided", e.decided());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeObjectFieldStart("marks");
                for (Map.Entry<String, String> m : marks.entrySet()) {
                    g.writeStringField("user." + m.getKey(), m.getValue());
                }
                g.writeEndObject();
                g.writeStringField("guard", guard);
                g.writeStringField("policy", p.source());
                g.writeEndObject();
            }
            System.out.println(w);
            return;
        }
        System.out.println(TerminalText.escape(target) + ": " + v.level().word());
        System.out.println("  because " + TerminalText.escape(v.reason()));
        if (type != null) {
            System.out.println("  type: " + type + " (from its content)");
        }
        // every piece of evidence weighed, so a user sees that an added mark was judged, not skipped
        for (Verdict.Evidence e : v.evidence()) {
            System.out.println("  judged: " + e.source() + " " + TerminalText.printable(e.value()) + " -> "
                    + e.level().word() + (e.decided() ? " (decided)" : "") + ": " + TerminalText.escape(e.why()));
        }
        for (Map.Entry<String, String> m : marks.entrySet()) {
            System.out.println("  mark: user." + m.getKey() + " = " + TerminalText.printable(m.getValue()));
        }
        if (guard != null) {
            System.out.println("  guard: " + TerminalText.escape(guard));
        }
        System.out.println("  policy: " + p.source());
    }
}
