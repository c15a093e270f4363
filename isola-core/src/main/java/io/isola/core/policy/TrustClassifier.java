package io.isola.core.policy;

import io.isola.core.trust.Marks;
import io.isola.core.trust.Seal;
import io.isola.core.trust.TrustLevel;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides how far a file or link is trusted, from the policy and the file's taint, and says why. The evidence is
 * weighed like Windows' zones: a file's place and every origin mark it carries are judged separately and the least
 * trusted wins, so a download saved into a trusted folder stays untrusted, and an origin mark added beside another
 * cannot outweigh it. Marks are claims anyone who owns a file can write, so they only ever lower trust. The one
 * exception is Isola's own seal on a safe view (a document the host rebuilt from pixels), which vouches for the
 * exact content it was made for; a trusted task's sealed output does not vouch for itself.
 */
public final class TrustClassifier {
    /**
     * A decision, the rule or mark that made it, and every piece of evidence weighed.
     *
     * @param evidence the place, the Isola trust mark and each origin mark, in that order; one of them decided
     */
    public record Verdict(TrustLevel level, String reason, Rule rule, List<Evidence> evidence) {
        public Verdict {
            evidence = List.copyOf(evidence);
        }

        public Verdict(TrustLevel level, String reason, Rule rule) {
            this(level, reason, rule, List.of());
        }

        /**
         * One piece of evidence: {@code place}, or the mark it comes from ({@code user.xdg.origin.url}, …).
         *
         * @param value what was judged: the file's real path or the mark's value
         */
        public record Evidence(String source, String value, TrustLevel level, String why, Rule rule, boolean decided) {
            Evidence decide() {
                return new Evidence(source, value, level, why, rule, true);
            }
        }
    }

    private final Policy policy;
    private final Seal seal;

    public TrustClassifier(Policy policy, Seal seal) {
        this.policy = policy;
        this.seal = seal;
    }

    /**
     * @param realPath the file's place, symlinks resolved
     * @param type its type as detected from its content
     * @param sha256 its content hash, to check a seal against
     */
    public Verdict file(Path realPath, String type, Marks marks, String sha256) {
        String markTrust = marks.get(Marks.TRUST);
        Seal.Kind sealed = markTrust == null ? null : seal.verifiedKind(marks, sha256);
        if (sealed == Seal.Kind.SAFE_VIEW && "trusted".equals(markTrust)) {
            // The host drew it from pixels itself: nothing of the original survives to carry what an origin warns of.
            Verdict.Evidence e = new Verdict.Evidence(
                    "user." + Marks.SEAL,
                    Seal.Kind.SAFE_VIEW.word(),
                    TrustLevel.TRUSTED,
                    "a safe view sealed by this host",
                    null,
                    true);
            return new Verdict(
                    TrustLevel.TRUSTED,
                    "Isola's sealed mark: a safe view rebuilt from pixels by the host "
                            + "in cell " + marks.get(Marks.CELL) + ", content unchanged since; it vouches for itself, "
                            + "whatever its origin marks say",
                    null,
                    List.of(e));
        }
        String note = "";
        Verdict.Evidence trustMark = null;
        if ("trusted".equals(markTrust)) {
            note = sealed == Seal.Kind.TASK_OUTPUT
                    ? " (Isola's sealed mark says a trusted task in cell " + marks.get(Marks.CELL) + " made it; "
                            + "a task's output does not vouch for itself)"
                    : marks.get(Marks.SEAL) != null && marks.get(Marks.KIND) == null
                            ? " (its seal is from an older Isola and does not say what kind of result it is, so it "
                                    + "vouches for nothing)"
                            : " (a 'trusted' mark without a valid seal was ignored)";
        } else if (markTrust != null) {
            trustMark = new Verdict.Evidence(
                    "user." + Marks.TRUST,
                    markTrust,
                    TrustLevel.UNTRUSTED,
                    "marked untrusted by Isola: it left cell " + marks.get(Marks.CELL) + originText(marks),
                    null,
                    false);
        }
        Verdict.Evidence place = place(realPath, type);
        List<Verdict.Evidence> origins = new ArrayList<>();
        for (Map.Entry<String, String> o : marks.origins().entrySet()) {
            origins.add(origin(o.getKey(), o.getValue(), type));
        }
        return weigh(place, trustMark, origins, note);
    }

    /**
     * The least trusted evidence wins. When several distrust the file, the one named is Isola's own untrusted mark,
     * else a rule that distrusts the place, else the first origin mark no rule trusts, else the place's default.
     */
    private static Verdict weigh(
            Verdict.Evidence place, Verdict.Evidence trustMark, List<Verdict.Evidence> origins, String note) {
        List<Verdict.Evidence> all = new ArrayList<>();
        all.add(place);
        if (trustMark != null) {
            all.add(trustMark);
        }
        all.addAll(origins);
        Verdict.Evidence decider = trustMark;
        if (decider == null && place.level() == TrustLevel.UNTRUSTED && place.rule() != null) {
            decider = place;
        }
        if (decider == null) {
            decider = origins.stream()
                    .filter(e -> e.level() == TrustLevel.UNTRUSTED)
                    .findFirst()
                    .orElse(place);
        }
        String reason = decider.why() + note;
        if (decider == place && place.level() == TrustLevel.UNTRUSTED) {
            reason += origins.stream()
                    .filter(e -> e.level() == TrustLevel.TRUSTED)
                    .findFirst()
                    .map(e -> " (its origin " + e.value() + " is trusted, but an origin mark is only a claim: it can "
                            + "lower trust, never raise it)")
                    .orElse("");
        }
        List<Verdict.Evidence> marked = new ArrayList<>();
        for (Verdict.Evidence e : all) {
            marked.add(e == decider ? e.decide() : e);
        }
        return new Verdict(decider.level(), reason, decider.rule(), marked);
    }

    private Verdict.Evidence place(Path realPath, String type) {
        Rule r = policy.firstMatch(new Facts(realPath, type, null));
        String value = String.valueOf(realPath);
        return r == null
                ? new Verdict.Evidence(
                        "place",
                        value,
                        TrustLevel.UNTRUSTED,
                        "no rule of " + policy.source() + " matches it, and anything not named is untrusted",
                        null,
                        false)
                : new Verdict.Evidence(
                        "place",
                        value,
                        r.trust(),
                        "rule '" + r.name() + "' (line " + r.line() + ") matches: " + r.describe(),
                        r,
                        false);
    }

    /** One origin mark, judged by the first rule that matches it (with the type); untrusted when none does. */
    private Verdict.Evidence origin(String mark, String text, String type) {
        String source = "user." + mark;
        if (text.trim().toLowerCase(java.util.Locale.ROOT).startsWith("file:")) {
            return madeFrom(source, text, type);
        }
        URI url = uri(text);
        if (url == null) {
            return new Verdict.Evidence(
                    source,
                    text,
                    TrustLevel.UNTRUSTED,
                    "its origin mark '" + text + "' is not a URL Isola can judge",
                    null,
                    false);
        }
        try {
            CanonicalUrl.of(url);
        } catch (IllegalArgumentException e) {
            return new Verdict.Evidence(
                    source,
                    text,
                    TrustLevel.UNTRUSTED,
                    "its origin mark '" + text + "' cannot be judged: " + e.getMessage(),
                    null,
                    false);
        }
        Rule o = policy.firstMatch(new Facts(null, type, url));
        String how = mark.equals(Marks.XDG_REFERRER)
                ? "it was reached from " + text + " (its referrer)"
                : "it was downloaded from " + text;
        if (o == null) {
            return new Verdict.Evidence(
                    source, text, TrustLevel.UNTRUSTED, how + ", and no rule trusts that origin", null, false);
        }
        return new Verdict.Evidence(
                source,
                text,
                o.trust(),
                o.trust() == TrustLevel.UNTRUSTED
                        ? "its origin " + text + " matches rule '" + o.name() + "' (line " + o.line()
                                + "), which distrusts it"
                        : "its origin " + text + " matches rule '" + o.name() + "' (line " + o.line() + ")",
                o,
                false);
    }

    /** A {@code file:} origin (what Isola records when a task's input had none) is judged by the place it names. */
    private Verdict.Evidence madeFrom(String source, String text, String type) {
        Path p;
        try {
            URI u = new URI(text.trim());
            if (u.getAuthority() != null || u.getPath() == null || !u.getPath().startsWith("/")) {
                throw new URISyntaxException(text, "not a local file URL");
            }
            p = Path.of(u.getPath()).normalize();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return new Verdict.Evidence(
                    source,
                    text,
                    TrustLevel.UNTRUSTED,
                    "its origin mark '" + text + "' is not a file URL Isola can judge",
                    null,
                    false);
        }
        try {
            p = p.toRealPath(); // rules name real places; an original that is gone is judged by its name
        } catch (IOException gone) {
            // keep the name
        }
        Rule r = policy.firstMatch(new Facts(p, type, null));
        if (r == null) {
            return new Verdict.Evidence(
                    source,
                    text,
                    TrustLevel.UNTRUSTED,
                    "it was made from " + p + ", and no rule trusts that place",
                    null,
                    false);
        }
        return new Verdict.Evidence(
                source,
                text,
                r.trust(),
                "it was made from " + p + ", which rule '" + r.name() + "' (line " + r.line() + ") "
                        + (r.trust() == TrustLevel.TRUSTED ? "trusts" : "distrusts"),
                r,
                false);
    }

    public Verdict link(URI url) {
        Rule r = policy.firstMatch(new Facts(null, null, url));
        return r == null
                ? new Verdict(
                        TrustLevel.UNTRUSTED,
                        "no rule of " + policy.source() + " trusts " + url.getHost()
                                + ", and anything not named is untrusted",
                        null)
                : new Verdict(r.trust(), "rule '" + r.name() + "' (line " + r.line() + ") matches: " + r.describe(), r);
    }

    private static String originText(Marks m) {
        return m.origin() == null ? "" : ", origin " + m.origin();
    }

    /** A URL with a scheme and host, or null. */
    public static URI uri(String s) {
        try {
            URI u = new URI(s.trim());
            return u.getScheme() != null && u.getHost() != null ? u : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
