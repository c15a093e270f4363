package io.isola.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Host places a cell must never be able to change. {@code --rw} of any of them, of anything below them, or of a
 * directory that contains them (a whole home directory holds ~/.ssh) is refused.
 */
public final class HostSecrets {
    private static final List<String> SYSTEM = List.of("/etc", "/root", "/boot", "/usr", "/bin", "/sbin", "/lib",
            "/lib64", "/var/lib", "/var/log", "/proc", "/sys", "/dev", "/run", "/efi");
    private static final List<String> IN_HOME = List.of(".ssh", ".gnupg", ".aws", ".kube", ".docker",
            ".password-store", ".pki", ".netrc", ".config", ".local/share/keyrings", ".mozilla", ".bash_history");

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
            // A secret is matched as a sequence of path components anywhere in the path: ".ssh", ".local/share/keyrings".
            if (("/" + p + "/").contains("/" + secret + "/")) {
                throw refuse(hostPath, "it is under " + secret);
            }
        }
        for (String secret : IN_HOME) {
            if (Files.exists(real.resolve(secret))) {
                throw refuse(hostPath, "it contains " + secret);
            }
        }
    }

    private static Path realOrNormal(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static IsolaException refuse(Path p, String why) {
        return new IsolaException("refusing --rw " + p + ": " + why
                + "; give the cell a dedicated directory instead, or use --ro", 2);
    }
}
