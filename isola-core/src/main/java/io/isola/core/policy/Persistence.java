package io.isola.core.policy;

import java.util.Locale;

/** What happens to the files a cell created or changed when it closes. */
public enum Persistence {
    /** Nothing leaves the cell (the default for untrusted tasks). */
    DISCARD,
    /** Kept in the quarantine directory, tainted, with origin, task id, time and sha256. */
    QUARANTINE,
    /** Saved beside the original under a new name, tainted; the original is never overwritten. */
    NEW_VERSION;

    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Persistence parse(String word) {
        for (Persistence p : values()) {
            if (p.word().equals(word)) {
                return p;
            }
        }
        return null;
    }
}
