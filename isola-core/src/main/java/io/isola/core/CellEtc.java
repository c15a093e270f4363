package io.isola.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What a cell's /etc is, whatever the engine: the host's /etc, so that fontconfig, ld.so.cache, the alternatives
 * links and every tool's configuration work as on the host, minus its secrets, and with account files that name no
 * host user. The sandbox engine hides the secrets with overlayfs whiteouts; the vm engine leaves them out of its
 * image. One list for both, so that the engines cannot drift apart.
 */
public final class CellEtc {
    /** Relative to /etc. Secrets, machine identity and the admin's configuration of privilege. */
    public static final List<String> HIDDEN = List.of(
            "shadow",
            "shadow-",
            "gshadow",
            "gshadow-",
            "passwd-",
            "group-",
            "subuid",
            "subuid-",
            "subgid",
            "subgid-",
            ".pwd.lock",
            "sudoers",
            "sudoers.d",
            "doas.conf",
            "machine-id",
            "ssl/private",
            "security/opasswd",
            "NetworkManager/system-connections",
            "wireguard",
            "ppp/chap-secrets",
            "ppp/pap-secrets",
            "krb5.keytab",
            "credstore",
            "credstore.encrypted",
            "isola",
            "libvirt/secrets",
            "docker/key.json",
            "containers/auth.json",
            "ipsec.secrets",
            "openvpn",
            "tinc",
            "msmtprc",
            "fetchmailrc",
            "cron.allow",
            "polkit-1/localauthority");

    private CellEtc() {}

    /**
     * The hidden paths that exist in {@code etc}, relative to it: {@link #HIDDEN} and the host's SSH private keys
     * (the public halves stay visible, as on any SSH client). Only file-system checks and no C, so that a command
     * line can run them while the JVM still links to C, off the path to its first cell.
     */
    public static List<String> hiddenPresent(Path etc) {
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
            throw new UncheckedIOException("cannot read " + etc + " to filter it for cells", e);
        }
    }

    /**
     * The files that replace the host's in a cell's /etc, by path relative to it, in a fixed order: accounts that
     * name only root, the cell's user (when it has one) and nobody, and the cell's own host name.
     *
     * @param cellUser the uid the cell's task runs as, if not root
     */
    public static Map<String, String> replacements(OptionalInt cellUser) {
        String user = cellUser.isPresent()
                ? "user:x:" + cellUser.getAsInt() + ":" + cellUser.getAsInt() + ":cell user:/home/user:/bin/sh\n"
                : "";
        String group = cellUser.isPresent() ? "user:x:" + cellUser.getAsInt() + ":\n" : "";
        Map<String, String> files = new LinkedHashMap<>();
        files.put(
                "passwd",
                "root:x:0:0:root:/root:" + (cellUser.isPresent() ? "/usr/sbin/nologin" : "/bin/sh") + "\n" + user
                        + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        files.put("group", "root:x:0:\n" + group + "nogroup:x:65534:\n");
        files.put("hostname", "cell\n");
        files.put("hosts", "127.0.0.1 localhost cell\n::1 localhost ip6-localhost\n");
        return files;
    }

    private static List<String> sshHostKeys(Path etc) throws IOException {
        List<String> keys = new ArrayList<>();
        Path ssh = etc.resolve("ssh");
        if (Files.isDirectory(ssh)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(ssh, "ssh_host_*key")) {
                s.forEach(p -> keys.add("ssh/" + p.getFileName()));
            }
        }
        keys.sort(null);
        return keys;
    }
}
