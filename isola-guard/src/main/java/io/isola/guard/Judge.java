package io.isola.guard;

import io.isola.core.policy.TrustClassifier;
import io.isola.core.policy.TrustClassifier.Verdict;
import io.isola.core.trust.Marks;
import io.isola.core.trust.TrustLevel;
import io.isola.linux.FileFacts;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether a file carries evidence of being untrusted, judged through the descriptor the kernel handed the guard:
 * a taint mark the policy does not trust (an origin no rule trusts, Isola's untrusted mark), Isola's own record of
 * it, or a place a rule of the policy distrusts. A file with none of these (the person's own documents) is clean.
 * The policy's default ("anything not named is untrusted") does not make a file untrusted here: it decides how a
 * file opens in Isola, whereas the guard stops only what there is evidence against.
 */
final class Judge {
    /** Past this size a seal is not checked on the decision path; the file is judged by its other marks. */
    private static final long MAX_SEALED_BYTES = 64L << 20;
    /**
     * Past this size a file with no marks is not hashed on the decision path to compare it with the record's
     * content (at a few hundred MB/s that is tens of milliseconds, well inside {@code answer-within}). It is hashed
     * only when some recorded content has exactly its size, and its verdict is then cached like any other.
     */
    static final long MAX_DECIDING_HASH_BYTES = 32L << 20;

    /** @param why what the denial says; null for a clean file */
    record Judgement(boolean untrusted, String why) {
        static final Judgement CLEAN = new Judgement(false, null);
    }

    private final TrustClassifier classifier;
    private final TaintRecord record;

    Judge(TrustClassifier classifier, TaintRecord record) {
        this.classifier = classifier;
        this.record = record;
    }

    Judgement judge(int fd, FileFacts.Stat stat, String path) {
        Marks marks = marks(fd);
        if (!marks.isEmpty() || record.contains(stat)) {
            String sha = sealed(marks) ? ContentHasher.sha256(fd, MAX_SEALED_BYTES) : null;
            Verdict v = classifier.file(Path.of(path), null, marks, sha);
            if (v.level() == TrustLevel.TRUSTED && v.rule() == null && !marks.isEmpty()) {
                return Judgement.CLEAN; // a sealed safe view vouches for itself
            }
            for (Verdict.Evidence e : v.evidence()) {
                if (!e.source().equals("place") && e.level() == TrustLevel.UNTRUSTED) {
                    return new Judgement(true, e.why());
                }
            }
            if (record.contains(stat)) {
                return new Judgement(
                        true,
                        "Isola's record: it was judged untrusted before, and its marks were "
                                + "removed or changed since");
            }
        }
        Verdict v = classifier.file(Path.of(path), null, Marks.NONE, null);
        Verdict.Evidence place = v.evidence().getFirst();
        if (place.rule() != null && place.level() == TrustLevel.UNTRUSTED) {
            return new Judgement(true, place.why());
        }
        return byContent(fd, stat);
    }

    /** A copy made without the marks (by an allowed program, a restore, while no guard ran) is known by content. */
    private Judgement byContent(int fd, FileFacts.Stat stat) {
        if (stat.size() == 0 || stat.size() > MAX_DECIDING_HASH_BYTES || !record.hasContentOfSize(stat.size())) {
            return Judgement.CLEAN; // the cheap filter: no recorded content has this size
        }
        String sha = ContentHasher.sha256(fd, MAX_DECIDING_HASH_BYTES);
        String seenAt = sha == null ? null : record.contentSeenAt(stat.size(), sha);
        return seenAt == null
                ? Judgement.CLEAN
                : new Judgement(
                        true,
                        "Isola's record: its content is that of " + seenAt
                                + ", judged untrusted before (a copy without its marks)");
    }

    /** The taint marks Isola judges, read through the descriptor. */
    static Marks marks(int fd) {
        Map<String, String> found = new LinkedHashMap<>();
        for (String name : FileFacts.xattrNames(fd)) {
            if (!name.startsWith("user.")) {
                continue;
            }
            String n = name.substring(5);
            if (n.startsWith("isola.") || n.equals(Marks.XDG_ORIGIN) || n.equals(Marks.XDG_REFERRER)) {
                String value = FileFacts.xattr(fd, name);
                if (value != null) {
                    found.put(n, value);
                }
            }
        }
        return found.isEmpty() ? Marks.NONE : new Marks(found);
    }

    private static boolean sealed(Marks m) {
        return "trusted".equals(m.get(Marks.TRUST)) && m.get(Marks.SEAL) != null;
    }
}
