package io.isola.core.trust;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Isola's signature on the marks it writes. A user xattr can be set by anyone who owns the file, and archives can
 * carry xattrs: a bare {@code isola.trust=trusted} proves nothing. Only a mark whose seal verifies with the host's
 * key, over the exact content hash, can make a file trusted; an unsealed "trusted" is ignored.
 */
public final class Seal {
    private final byte[] key;

    private Seal(byte[] key) {
        this.key = key;
    }

    /** The host's seal key, made on first use: 32 random bytes readable by root only. */
    public static Seal open(Path keyFile) throws IOException {
        if (!Files.exists(keyFile)) {
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            Files.createDirectories(keyFile.getParent());
            try {
                Files.write(Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------"))), k, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException raced) {
                // another Isola made it first: use theirs
            }
        }
        var perms = Files.getPosixFilePermissions(keyFile, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))
                || Files.isSymbolicLink(keyFile)) {
            throw new IOException(keyFile + " may be read by others, so anyone could forge Isola's seal: remove it "
                    + "(Isola makes a new one; files sealed with the old key are no longer vouched for)");
        }
        byte[] k = Files.readAllBytes(keyFile);
        if (k.length != 32) {
            throw new IOException(keyFile + " is not a seal key (32 bytes): remove it and Isola makes a new one");
        }
        return new Seal(k);
    }

    public String sign(TrustLevel trust, String sha256, String cell) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((trust.word() + "\n" + sha256 + "\n" + cell)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    /** Whether {@code marks} carry a seal of this host over their trust, cell and the given content hash. */
    public boolean verifies(Marks marks, String actualSha256) {
        TrustLevel t = TrustLevel.parse(marks.get(Marks.TRUST));
        String seal = marks.get(Marks.SEAL), cell = marks.get(Marks.CELL);
        if (t == null || seal == null || cell == null || !actualSha256.equals(marks.get(Marks.SHA256))) {
            return false;
        }
        return MessageDigest.isEqual(seal.getBytes(), sign(t, actualSha256, cell).getBytes());
    }
}
