package io.isola.core.trust;

import java.util.Locale;

/** How far Isola trusts a file, link or task. Anything the policy does not name is {@link #UNTRUSTED}. */
public enum TrustLevel {
    UNTRUSTED,
    TRUSTED;

    /** Windows' zone rule: when sources disagree, the least trusted one wins. */
    public static TrustLevel least(TrustLevel a, TrustLevel b) {
        return a.ordinal() <= b.ordinal() ? a : b;
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The level a policy or mark names, or null for any other word. */
    public static TrustLevel parse(String word) {
        for (TrustLevel t : values()) {
            if (t.word().equals(word)) {
                return t;
            }
        }
        return null;
    }
}
