package io.isola.vm;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random VM ids: unique across Isola processes sharing a state directory. */
final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    static String next() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
