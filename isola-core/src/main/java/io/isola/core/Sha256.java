package io.isola.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, the one hash Isola's marks, seals and images record: a digest to feed, or a file's hash in hex. */
public final class Sha256 {
    private Sha256() {}

    /** A new digest. Every JDK has SHA-256; its absence is a broken JDK, not an input error. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The hash of {@code file}'s bytes in lower-case hex, never following a symlink in its place. */
    public static String of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest d = digest();
            byte[] buf = new byte[128 << 10];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
            return hex(d);
        }
    }

    /** Finishes {@code d} and gives its hash in lower-case hex. */
    public static String hex(MessageDigest d) {
        return HexFormat.of().formatHex(d.digest());
    }
}
