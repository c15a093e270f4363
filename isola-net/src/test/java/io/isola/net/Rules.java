package io.isola.net;

import io.isola.core.policy.NetworkRules;
import io.isola.core.policy.PolicyFile;
import java.nio.file.Path;

/** Network rules from policy text, as a user writes them. */
final class Rules {
    private Rules() {}

    static NetworkRules of(String toml) {
        return PolicyFile.parse("version = 1\n" + toml, "test.toml", Path.of("/nonexistent-home"))
                .network();
    }
}
