package io.isola.cli;

import io.isola.core.Host;
import io.isola.core.policy.Policy;
import io.isola.core.policy.PolicyCheck;
import io.isola.core.policy.PolicyException;
import io.isola.core.policy.PolicyFile;
import io.isola.linux.Libc;
import io.isola.linux.LinuxException;
import io.isola.linux.SmallFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Which policy applies: {@code --policy FILE}, else {@code $ISOLA_POLICY}, else the user's
 * {@code ~/.config/isola/policy.toml}, else {@code /etc/isola/policy.toml}, else the built-in one that trusts
 * nothing.
 */
final class Policies {
    private Policies() {}

    static Path locate(Path explicit) {
        Map<String, String> env = System.getenv();
        if (explicit != null) {
            return explicit.toAbsolutePath();
        }
        String e = env.get("ISOLA_POLICY");
        if (e != null && !e.isBlank()) {
            return Path.of(e).toAbsolutePath();
        }
        Path user = Host.invokingHome(env).resolve(".config/isola/policy.toml");
        if (Files.isRegularFile(user)) {
            return user;
        }
        Path system = Path.of("/etc/isola/policy.toml");
        return Files.isRegularFile(system) ? system : null;
    }

    /** The policy that applies, read whole: every error it has, for {@code isola policy check}. */
    static PolicyCheck check(Path explicit) {
        Path home = Host.invokingHome(System.getenv());
        Path p = locate(explicit);
        return p == null ? PolicyFile.checkBuiltIn(home) : PolicyFile.checkBytes(read(p), p.toString(), home);
    }

    static Policy load(Path explicit) {
        return check(explicit).orThrow();
    }

    /**
     * The policy file's bytes, refusing what is no regular file or larger than the cap: a FIFO must not hang a
     * command, nor /dev/zero fill its memory, whether named by --policy, {@code policy check} or ISOLA_POLICY.
     */
    private static byte[] read(Path file) {
        try {
            return SmallFile.read(file.toString(), PolicyFile.MAX_BYTES);
        } catch (SmallFile.Refused e) {
            throw new PolicyException(file.toString(), 0, e.getMessage() + ": " + PolicyFile.WHAT_TO_GIVE);
        } catch (LinuxException e) {
            int errno = e.errno();
            String why = errno == Libc.ENOENT || errno == Libc.ENOTDIR
                    ? "no such file: check the path, or run " + "without --policy"
                    : errno == Libc.EACCES
                            ? "permission denied: make it readable, or name " + "another policy"
                            : "cannot read: " + e.getMessage();
            throw new PolicyException(file.toString(), 0, why);
        }
    }
}
