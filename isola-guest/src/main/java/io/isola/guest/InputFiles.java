package io.isola.guest;

import io.isola.guest.Wire.Frame;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The task's input files as the host sent them, with their hashes, so that changed copies can be sent back. */
final class InputFiles {
    private final Map<Path, byte[]> sent = new HashMap<>();

    /** Writes the file whose DATA frames follow, up to DATA_END. */
    void receive(Path path, DataInputStream in) throws IOException {
        Files.createDirectories(path.getParent());
        MessageDigest sha = sha256();
        try (OutputStream out = Files.newOutputStream(path)) {
            while (true) {
                Frame f = Wire.read(in);
                if (f == null || f.type() == Wire.DATA_END) {
                    break;
                }
                sha.update(f.payload());
                out.write(f.payload());
            }
        }
        sent.put(path, sha.digest());
    }

    /** Whether the task left {@code file} as the host sent it. */
    boolean unchanged(Path file) {
        byte[] before = sent.get(file);
        if (before == null || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            return false;
        }
        return Arrays.equals(before, sha.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
