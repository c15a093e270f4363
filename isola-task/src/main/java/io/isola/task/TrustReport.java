package io.isola.task;

import io.isola.core.IsolaException;
import io.isola.core.Sha256;
import io.isola.core.TerminalText;
import io.isola.core.policy.Policy;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.policy.TrustClassifier.Verdict;
import io.isola.core.trust.Marks;
import io.isola.core.trust.Seal;
import io.isola.core.trust.TrustLevel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * {@code trust explain}: whether a target is trusted, and which rule or mark decided, as text or one JSON object.
 * Shared by the command line and the service, which prints it to its client's stdout.
 */
public final class TrustReport {
    private TrustReport() {}

    /**
     * Prints the verdict on {@code target} (a URL, or a path resolved against the caller's directory already).
     *
     * @param guard what the host's guard would do with a file (a line, or null when it would let it open); the front
     *     end that runs the guard supplies it, since tasks know nothing of the guard
     */
    public static int explain(
            String target,
            boolean json,
            Policy p,
            Seal seal,
            PrintStream out,
            BiFunction<TrustClassifier, Path, String> guard)
            throws IOException {
        TrustClassifier classifier = new TrustClassifier(p, seal);
        Verdict v;
        if (LinkTask.isLink(target)) {
            var url = TrustClassifier.uri(target);
            if (url == null) {
                throw new IsolaException(
                        "'" + TerminalText.printable(target) + "' is not a URL: give e.g. " + "https://example.com/",
                        2);
            }
            v = classifier.link(url);
            print(out, json, target, v, null, Map.of(), p, null);
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
            v = classifier.file(real, type, marks, Sha256.of(real));
            print(
                    out,
                    json,
                    file.toString(),
                    v,
                    type,
                    marks.values(),
                    p,
                    guard == null ? null : guard.apply(classifier, real));
        }
        return v.level() == TrustLevel.TRUSTED ? 0 : 1;
    }

    private static void print(
            PrintStream out,
            boolean json,
            String target,
            Verdict v,
            String type,
            Map<String, String> marks,
            Policy p,
            String guard)
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
            out.println(w);
            return;
        }
        out.println(TerminalText.escape(target) + ": " + v.level().word());
        out.println("  because " + TerminalText.escape(v.reason()));
        if (type != null) {
            out.println("  type: " + type + " (from its content)");
        }
        // every piece of evidence weighed, so a user sees that an added mark was judged, not skipped
        for (Verdict.Evidence e : v.evidence()) {
            out.println("  judged: " + e.source() + " " + TerminalText.printable(e.value()) + " -> "
                    + e.level().word() + (e.decided() ? " (decided)" : "") + ": " + TerminalText.escape(e.why()));
        }
        for (Map.Entry<String, String> m : marks.entrySet()) {
            out.println("  mark: user." + m.getKey() + " = " + TerminalText.printable(m.getValue()));
        }
        if (guard != null) {
            out.println("  guard: " + TerminalText.escape(guard));
        }
        out.println("  policy: " + p.source());
    }
}
