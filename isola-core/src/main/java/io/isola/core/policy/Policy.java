package io.isola.core.policy;

import io.isola.core.trust.TrustLevel;
import java.util.List;
import java.util.Map;

/**
 * The human-written rules: what is trusted, and what each trust level gets. The first matching rule wins; anything
 * no rule matches is untrusted, and no rule can change that default.
 *
 * @param source where it was read from, for messages ("built-in" for the default)
 * @param network what each level's cells may reach, and the destinations the policy names
 * @param guard where untrusted files open only in cells ({@code [guard]}); {@link GuardRules#NONE} when unset
 */
public record Policy(
        String source,
        List<Rule> rules,
        Map<TrustLevel, LevelSettings> levels,
        NetworkRules network,
        GuardRules guard) {
    public Policy {
        rules = List.copyOf(rules);
        levels = Map.copyOf(levels);
        network = network == null ? NetworkRules.DEFAULT : network;
        guard = guard == null ? GuardRules.NONE : guard;
    }

    public Policy(String source, List<Rule> rules, Map<TrustLevel, LevelSettings> levels) {
        this(source, rules, levels, NetworkRules.DEFAULT, GuardRules.NONE);
    }

    /** The first rule that matches, or null: then the target is untrusted. */
    public Rule firstMatch(Facts facts) {
        for (Rule r : rules) {
            if (r.matches(facts)) {
                return r;
            }
        }
        return null;
    }

    public LevelSettings level(TrustLevel t) {
        return levels.get(t);
    }
}
