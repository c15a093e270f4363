package io.isola.core.policy;

import io.isola.core.trust.Marks;
import io.isola.core.trust.Seal;
import io.isola.core.trust.TrustLevel;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * Decides how far a file or link is trusted, from the policy and the file's taint, and says why. The evidence is
 * weighed like Windows' zones: a file's place and its origin are judged separately and the least trusted wins, so a
 * download saved into a trusted folder stays untrusted. Marks are claims anyone who owns a file can write, so they
 * only ever lower trust; the one exception is Isola's own sealed mark (output it rebuilt itself), which vouches for
 * the exact content it was made for.
 */
public final class TrustClassifier {
    /** A decision and the rule or mark that made it. */
    public record Verdict(TrustLevel level, String reason, Rule rule) {}

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
        String note = "";
        if ("trusted".equals(markTrust)) {
            if (seal.verifies(marks, sha256)) {
                return new Verdict(TrustLevel.TRUSTED, "Isola's sealed mark: rebuilt from pixels in cell "
                        + marks.get(Marks.CELL) + ", content unchanged since", null);
            }
            note = " (a 'trusted' mark without a valid seal was ignored)";
        } else if (markTrust != null) {
            return new Verdict(TrustLevel.UNTRUSTED, "marked untrusted by Isola: it left cell "
                    + marks.get(Marks.CELL) + originText(marks), null);
        }
        Rule r = policy.firstMatch(new Facts(realPath, type, null));
        Verdict byPlace = r == null
                ? new Verdict(TrustLevel.UNTRUSTED, "no rule of " + policy.source() + " matches it, and anything "
                        + "not named is untrusted" + note, null)
                : new Verdict(r.trust(), "rule '" + r.name() + "' (line " + r.line() + ") matches: "
                        + r.describe() + note, r);
        String originText = marks.origin();
        if (originText == null) {
            return byPlace;
        }
        // An origin mark is a claim anyone who owns the file (or an archive's xattrs) can make: it may lower trust,
        // never raise it.
        URI origin = uri(originText);
        if (origin == null) {
            return new Verdict(TrustLevel.UNTRUSTED, "its origin mark '" + originText
                    + "' is not a URL Isola can judge" + note, null);
        }
        Rule o = policy.firstMatch(new Facts(null, type, origin));
        if (o == null || o.trust() == TrustLevel.UNTRUSTED) {
            Verdict byOrigin = o == null
                    ? new Verdict(TrustLevel.UNTRUSTED, "it was downloaded from " + originText
                            + ", and no rule trusts that origin" + note, null)
                    : new Verdict(TrustLevel.UNTRUSTED, "its origin " + originText + " matches rule '" + o.name()
                            + "' (line " + o.line() + "), which distrusts it" + note, o);
            return byPlace.level() == TrustLevel.UNTRUSTED && byPlace.rule() != null ? byPlace : byOrigin;
        }
        return byPlace.level() == TrustLevel.TRUSTED ? byPlace
                : new Verdict(byPlace.level(), byPlace.reason() + " (its origin " + originText + " is trusted, but "
                        + "an origin mark is only a claim: it can lower trust, never raise it)", byPlace.rule());
    }

    public Verdict link(URI url) {
        Rule r = policy.firstMatch(new Facts(null, null, url));
        return r == null
                ? new Verdict(TrustLevel.UNTRUSTED, "no rule of " + policy.source() + " trusts " + url.getHost()
                        + ", and anything not named is untrusted", null)
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
