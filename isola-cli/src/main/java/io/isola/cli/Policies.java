package io.isola.cli;

import io.isola.core.Host;
import io.isola.core.policy.Policy;
import io.isola.core.policy.PolicyCheck;
import io.isola.core.policy.PolicyFile;
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
        return p == null ? PolicyFile.checkBuiltIn(home) : PolicyFile.check(p, home);
    }

    static Policy load(Path explicit) {
        Path home = Host.invokingHome(System.getenv());
        Path p = locate(explicit);
        return p == null ? PolicyFile.builtIn(home) : PolicyFile.load(p, home);
    }
}
