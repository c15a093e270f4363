package io.isola.core.policy;

import io.isola.core.trust.TrustLevel;
import java.util.List;
import java.util.Set;

/**
 * A policy file read whole: the policy when it has no error, else every error found, each with its line.
 *
 * @param policy the policy as read, defaults standing in for wrong values: fit to use only when {@link #ok()}, as
 *     {@link #orThrow()} ensures; with errors it still tells {@code isola policy check} each level's engine and image
 * @param handlers the handlers the file itself defines, with their lines (not the built-in ones a level without
 *     {@code [level.NAME.handlers]} gets)
 * @param definedHandlers the levels whose handlers the file defines: for these, its table replaces the built-in one
 */
public record PolicyCheck(
        String source,
        Policy policy,
        List<Problems.Problem> problems,
        List<Handler> handlers,
        Set<TrustLevel> definedHandlers) {
    /**
     * One handler entry of the file: {@code "TYPE" = [ARGV...]} under {@code [level.LEVEL.handlers]}, or under
     * {@code [level.LEVEL.window-handlers]} when {@code window}.
     */
    public record Handler(TrustLevel level, String type, List<String> argv, int line, boolean window) {
        public Handler {
            argv = List.copyOf(argv);
        }

        public Handler(TrustLevel level, String type, List<String> argv, int line) {
            this(level, type, argv, line, false);
        }

        /** How {@code isola policy check} names it: "the handler for TYPE", "the window handler for TYPE". */
        public String what() {
            return (window ? "the window handler for " : "the handler for ") + type;
        }
    }

    public PolicyCheck {
        problems = List.copyOf(problems);
        handlers = List.copyOf(handlers);
        definedHandlers = Set.copyOf(definedHandlers);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** The policy, or the first error (naming how many more there are) as a {@link PolicyException}. */
    public Policy orThrow() {
        if (ok()) {
            return policy;
        }
        Problems.Problem first = problems.get(0);
        int more = problems.size() - 1;
        throw new PolicyException(
                first.source(),
                first.line(),
                first.message()
                        + (more == 0
                                ? ""
                                : " (and " + more + " more error" + (more == 1 ? "" : "s")
                                        + ": isola policy check lists them)"));
    }
}
