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
 * carry xattrs: a bare {@code isola.trust=trusted} proves nothing. A seal binds the trust mark, the kind of result,
 * the cell and the exact content hash to this host's key, so none of them can be edited or swapped; an unsealed
 * mark is only a claim. Seals written before they named their kind do not verify: they cannot say whether the
 * file is a safe view, the only kind of result that vouches for itself.
 */
public final class Seal {
    /** Prefix of what the HMAC covers, so a seal of one layout can never verify as another. */
    private static final String LAYOUT = "isola-seal-2";

    /** What kind of result a sealed file is; {@code isola.kind} names it and the seal covers it. */
    public enum Kind {
        /** Rebuilt by the host from pixels alone (isola open --view): nothing of the original's code survives. */
        SAFE_VIEW("safe-view"),
        /** Whatever a task's cell left: made by the task's own program, as hostile as its inputs. */
        TASK_OUTPUT("task-output");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        /** The kind a mark names, or null for any other word (and for a missing mark). */
        public static Kind parse(String word) {
            for (Kind k : values()) {
                if (k.word.equals(word)) {
                    return k;
                }
            }
            return null;
        }
    }

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
                Files.write(
                        Files.createFile(
                                keyFile,
                                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                        k,
                        StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException raced) {
                // another Isola made it first: use theirs
            }
        }
        var perms = Files.getPosixFilePermissions(keyFile, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (perms.stream()
                        .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))
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

    public String sign(Kind kind, TrustLevel trust, String sha256, String cell) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of()
                    .formatHex(mac.doFinal(
                            (LAYOUT + "\n" + kind.word() + "\n" + trust.word() + "\n" + sha256 + "\n" + cell)
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    /**
     * The kind of result {@code marks} are sealed as, when they carry a seal of this host over their kind, trust,
     * cell and the given content hash; else null (no seal, a forged or edited one, another host's, content changed
     * since, or a seal from before seals named their kind).
     */
    public Kind verifiedKind(Marks marks, String actualSha256) {
        Kind kind = Kind.parse(marks.get(Marks.KIND));
        TrustLevel t = TrustLevel.parse(marks.get(Marks.TRUST));
        String seal = marks.get(Marks.SEAL), cell = marks.get(Marks.CELL);
        if (kind == null
                || t == null
                || seal == null
                || cell == null
                || !actualSha256.equals(marks.get(Marks.SHA256))) {
            return null;
        }
        boolean ok = MessageDigest.isEqual(
                seal.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                sign(kind, t, actualSha256, cell).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return ok ? kind : null;
    }

    /** Whether {@code marks} carry a valid seal of this host over the given content (of any kind). */
    public boolean verifies(Marks marks, String actualSha256) {
        return verifiedKind(marks, actualSha256) != null;
    }
}
