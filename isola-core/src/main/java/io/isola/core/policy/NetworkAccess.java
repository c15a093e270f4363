package io.isola.core.policy;

import java.util.Locale;

/** What network a trust level's cells get: the policy's {@code [level.NAME] network} word. */
public enum NetworkAccess {
    /** Loopback only: nothing leaves the cell. */
    NONE("none"),
    /** Public unicast addresses on the allowed ports, nothing private, intranet or high-value. */
    INTERNET("internet"),
    /** The internet, the intranet, and high-value destinations from a trusted network or over a VPN. */
    TRUSTED("trusted");

    private final String word;

    NetworkAccess(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** The access a word names, or null. */
    public static NetworkAccess parse(String word) {
        for (NetworkAccess a : values()) {
            if (a.word.equals(word.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        return null;
    }
}
