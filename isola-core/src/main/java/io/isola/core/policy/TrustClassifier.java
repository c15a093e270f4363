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
 * download saved into a trusted folder stays untrusted. Only Isola's own sealed mark (output it rebuilt itself) can
 * vouch for a file on its own.
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
        String originText = marks.origin();
        URI origin = null;
        Verdict byOrigin = null;
        if (originText != null) {
            origin = uri(originText);
            if (origin == null) {
                return new Verdict(TrustLevel.UNTRUSTED, "its origin mark '" + originText
                        + "' is not a URL Isola can judge" + note, null);
            }
            Rule r = policy.firstMatch(new Facts(null, type, origin));
            byOrigin = r == null
                    ? new Verdict(TrustLevel.UNTRUSTED, "it was downloaded from " + originText
                            + ", and no rule trusts that origin" + note, null)
                    : new Verdict(r.trust(), "its origin " + originText + " matches rule '" + r.name() + "' (line "
                            + r.line() + ")" + note, r);
        }
        Rule r = policy.firstMatch(new Facts(realPath, type, origin));
        Verdict byPlace = r == null
                ? new Verdict(TrustLevel.UNTRUSTED, "no rule of " + policy.source() + " matches it, and anything "
                        + "not named is untrusted" + note, null)
                : new Verdict(r.trust(), "rule '" + r.name() + "' (line " + r.line() + ") matches: "
                        + r.describe() + note, r);
        if (byOrigin != null && byOrigin.level().ordinal() < byPlace.level().ordinal()) {
            return byOrigin;
        }
        return byOrigin != null && byPlace.rule() == null ? byOrigin : byPlace;
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
