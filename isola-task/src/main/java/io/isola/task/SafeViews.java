package io.isola.task;

import io.isola.core.trust.Marks;
import io.isola.core.trust.Seal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Safe views made earlier: viewing the same document twice finds the first view rather than piling up copies of it.
 * A file counts only if this host's seal says it is a safe view of exactly these bytes (its {@code isola.view-of}
 * mark, which the seal's result carries beside it, names the original's hash) and its own content still matches the
 * seal; anything else under the name, a file the user edited or made, is left alone and a new name is taken. The
 * seal does not cover {@code isola.view-of}, so a view is reused only when it belongs to the person asking: another
 * user of this host cannot plant a genuine view of one document that claims to be the view of another.
 */
final class SafeViews {
    /** A stem that is already a safe view's: {@code NAME.safe} or {@code NAME.safe (isola 2)}. */
    static final Pattern ALREADY_SAFE = Pattern.compile("\\.safe(?: \\(isola \\d+\\))?$");
    /** The names Persister gives when the plain one is taken go up to this; a view looks at the first few. */
    private static final int LOOK = 20;

    private SafeViews() {}

    /**
     * The sealed safe view of the original whose content hash is {@code originalSha256}, at {@code wanted} or one of
     * its {@code (isola N)} names, or null.
     */
    static Path existing(TaskContext ctx, Path wanted, String originalSha256) {
        String name = wanted.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = name.substring(0, dot), ext = name.substring(dot);
        for (int i = 1; i <= LOOK; i++) {
            Path p = wanted.resolveSibling(i == 1 ? name : stem + " (isola " + i + ")" + ext);
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                if (i > 1) {
                    return null; // names are taken in order: past the first gap there are none of ours
                }
                continue;
            }
            if (isViewOf(ctx, p, originalSha256)) {
                return p;
            }
        }
        return null;
    }

    private static boolean isViewOf(TaskContext ctx, Path p, String originalSha256) {
        try {
            int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != io.isola.core.Host.invokingIds(ctx.callerEnv())[0]) {
                return false;
            }
            Marks m = Marks.read(p);
            if (!originalSha256.equals(m.get("isola.view-of"))) {
                return false;
            }
            return ctx.seal().verifiedKind(m, sha256(ctx, p)) == Seal.Kind.SAFE_VIEW;
        } catch (IOException | RuntimeException unreadable) {
            return false; // not one we can vouch for: a new view is made under a free name
        }
    }

    /** The file's hash, read with the caller's rights (a file they cannot read is not theirs to reuse). */
    private static String sha256(TaskContext ctx, Path p) throws IOException {
        try (InputStream in = CallerFiles.open(ctx.callerEnv(), p, p)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[128 << 10];
            for (int r; (r = in.read(buf)) > 0; ) {
                sha.update(buf, 0, r);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
