package io.isola.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Host places a cell must never be able to change. {@code --rw} of any of them, of anything below them, or of a
 * directory that contains them is refused. That includes every home directory itself (it holds ~/.ssh, or will)
 * and every hidden entry of a home (~/.bashrc, ~/.config/autostart…), which a cell could otherwise turn into code
 * that runs on the host later.
 */
public final class HostSecrets {
    private static final List<String> SYSTEM = List.of(
            "/etc",
            "/root",
            "/boot",
            "/usr",
            "/bin",
            "/sbin",
            "/lib",
            "/lib64",
            "/var/lib",
            "/var/log",
            "/proc",
            "/sys",
            "/dev",
            "/run",
            "/efi");
    private static final List<String> IN_HOME = List.of(
            ".ssh",
            ".gnupg",
            ".aws",
            ".kube",
            ".docker",
            ".password-store",
            ".pki",
            ".netrc",
            ".config",
            ".local/share/keyrings",
            ".mozilla",
            ".bash_history");

    private HostSecrets() {}

    /** Throws when {@code hostPath} may not be given to a cell writable. */
    public static void checkWritable(Path hostPath, Path stateDir) {
        Path real;
        try {
            real = hostPath.toRealPath();
        } catch (IOException e) {
            throw new IsolaException("no such file or directory: " + hostPath + " (given with --rw)", 2);
        }
        String p = real.toString();
        if (p.equals("/") || p.equals("/home") || p.equals("/var")) {
            throw refuse(hostPath, "it contains the whole system");
        }
        for (String s : SYSTEM) {
            if (p.equals(s) || p.startsWith(s + "/")) {
                throw refuse(hostPath, "it is under " + s);
            }
        }
        Path state = realOrNormal(stateDir);
        if (real.startsWith(state) || state.startsWith(real)) {
            throw refuse(hostPath, "it holds Isola's own state (" + state + ")");
        }
        for (String secret : IN_HOME) {
            // A secret is matched as a sequence of path components anywhere in the path: ".ssh",
            // ".local/share/keyrings".
            if (("/" + p + "/").contains("/" + secret + "/")) {
                throw refuse(hostPath, "it is under " + secret);
            }
        }
        for (String secret : IN_HOME) {
            if (Files.exists(real.resolve(secret))) {
                throw refuse(hostPath, "it contains " + secret);
            }
        }
        List<Path> homes = new java.util.ArrayList<>(homes());
        if (real.startsWith("/home") && real.getNameCount() >= 2) {
            homes.add(Path.of("/home").resolve(real.getName(1))); // homes not in /etc/passwd (LDAP, sssd) too
        }
        for (Path home : homes) {
            if (home.startsWith(real)) {
                throw refuse(hostPath, "it holds the home directory " + home);
            }
            if (real.startsWith(home)
                    && real.getNameCount() > home.getNameCount()
                    && real.getName(home.getNameCount()).toString().startsWith(".")) {
                throw refuse(hostPath, "it is a hidden file or directory of the home " + home);
            }
        }
    }

    /** Every home directory the host's account database names, and /root. */
    static List<Path> homes() {
        java.util.ArrayList<Path> out = new java.util.ArrayList<>(List.of(Path.of("/root")));
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length > 5 && f[5].startsWith("/home/")) {
                    out.add(realOrNormal(Path.of(f[5])));
                }
            }
        } catch (IOException e) {
            // without the account database, the /home rule above still applies
        }
        return out;
    }

    private static Path realOrNormal(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static IsolaException refuse(Path p, String why) {
        return new IsolaException(
                "refusing --rw " + p + ": " + why + "; give the cell a dedicated directory instead, or use --ro", 2);
    }
}
