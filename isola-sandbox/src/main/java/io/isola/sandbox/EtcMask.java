package io.isola.sandbox;

import io.isola.linux.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The layer that filters the host's /etc for the {@code host} image. It sits above /etc in the overlay and holds
 * overlayfs whiteouts for every secret (so the files do not even exist in a cell) and replacement account files
 * that name only the cell's user, so a cell learns no host user names.
 *
 * <p>It is built at engine start in the engine's private tmpfs, so it always matches the host's current /etc.
 */
final class EtcMask {
    /** Relative to /etc. Secrets, machine identity and the admin's configuration of privilege. */
    static final List<String> HIDDEN = List.of(
            "shadow", "shadow-", "gshadow", "gshadow-", "passwd-", "group-", "subuid", "subuid-", "subgid", "subgid-",
            ".pwd.lock", "sudoers", "sudoers.d", "doas.conf", "machine-id", "ssl/private", "security/opasswd",
            "NetworkManager/system-connections", "wireguard", "ppp/chap-secrets", "ppp/pap-secrets", "krb5.keytab",
            "credstore", "credstore.encrypted", "isola", "libvirt/secrets", "docker/key.json",
            "containers/auth.json", "ipsec.secrets", "openvpn", "tinc", "msmtprc", "fetchmailrc", "cron.allow",
            "polkit-1/localauthority");

    private EtcMask() {}

    /**
     * The hidden paths that exist in {@code etc}, relative to it. Only file-system checks and no C, so that a command
     * line can run them while the JVM still links to C, off the path to its first cell.
     */
    static List<String> present(Path etc) {
        try {
            List<String> hide = new ArrayList<>(HIDDEN);
            hide.addAll(sshHostKeys(etc));
            List<String> present = new ArrayList<>();
            for (String rel : hide) {
                if (Files.exists(etc.resolve(rel), LinkOption.NOFOLLOW_LINKS)) {
                    present.add(rel);
                }
            }
            return present;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + etc + " for the /etc mask", e);
        }
    }

    /** Builds the mask under {@code dir}: a whiteout for each of {@code present} and the replacement files. */
    static void build(Path dir, List<String> present, int cellId) {
        try {
            Files.createDirectories(dir);
            for (String rel : present) {
                Path w = dir.resolve(rel);
                Files.createDirectories(w.getParent());
                Libc.mkWhiteout(w.toString());
            }
            Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                    + "user:x:" + cellId + ":" + cellId + ":cell user:/home/user:/bin/sh\n"
                    + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
            Files.writeString(dir.resolve("group"), "root:x:0:\nuser:x:" + cellId + ":\nnogroup:x:65534:\n");
            Files.writeString(dir.resolve("hostname"), "cell\n");
            Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost cell\n::1 localhost ip6-localhost\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the /etc mask", e);
        }
    }

    /** The host's SSH private keys; the public halves stay visible, as on any SSH client. */
    private static List<String> sshHostKeys(Path etc) throws IOException {
        List<String> keys = new ArrayList<>();
        Path ssh = etc.resolve("ssh");
        if (Files.isDirectory(ssh)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(ssh, "ssh_host_*key")) {
                s.forEach(p -> keys.add("ssh/" + p.getFileName()));
            }
        }
        return keys;
    }
}
