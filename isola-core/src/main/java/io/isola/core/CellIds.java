package io.isola.core;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Cell ids: short, unique, safe as a file and cgroup name. */
public final class CellIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private CellIds() {}

    public static String next() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return "c" + HexFormat.of().formatHex(b);
    }
}
