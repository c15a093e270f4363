package io.isola.cli;

import io.isola.core.policy.LevelSettings;
import io.isola.core.policy.PolicyCheck;
import io.isola.core.policy.Problems;
import io.isola.core.trust.TrustLevel;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code isola policy check} says of a policy: the file's errors (each {@code FILE:LINE: what and what to
 * do}), those of its handlers' programs, and notes that are not errors: how each level's handlers come about, and
 * built-in handlers whose program this machine lacks.
 */
record PolicyReport(PolicyCheck check, List<Problems.Problem> errors, List<String> notes) {
    static PolicyReport of(PolicyCheck c) {
        List<Problems.Problem> errors = new ArrayList<>(c.problems());
        List<String> notes = new ArrayList<>();
        for (PolicyCheck.Handler h : c.handlers()) {
            LevelSettings level = c.policy().level(h.level());
            String problem = level == null ? null : HandlerPrograms.problem(level, h.argv());
            if (problem != null) {
                errors.add(new Problems.Problem(
                        c.source(),
                        h.line(),
                        h.what() + " at level " + h.level().word() + " " + problem));
            }
        }
        if (c.policy().levels().isEmpty()) {
            return new PolicyReport(c, errors, notes); // not valid TOML: nothing more to say
        }
        for (TrustLevel t : List.of(TrustLevel.UNTRUSTED, TrustLevel.TRUSTED)) {
            LevelSettings level = c.policy().level(t);
            if (c.definedHandlers().contains(t)) {
                notes.add("handlers for level " + t.word() + ": the "
                        + level.handlers().size() + " defined in [level."
                        + t.word() + ".handlers] replace the built-in ones; "
                        + (level.handlers().containsKey("*")
                                ? "types not listed go to \"*\""
                                : "types not listed have no handler (add \"*\" "
                                        + "for them), and isola open refuses them"));
            } else {
                notes.add("handlers for level " + t.word() + ": none defined, so the built-in ones (isola policy "
                        + "show lists them)");
                level.handlers().forEach((type, argv) -> {
                    String problem = HandlerPrograms.problem(level, argv);
                    if (problem != null) {
                        notes.add("the built-in handler for " + type + " at level " + t.word() + " " + problem);
                    }
                });
            }
            level.windowHandlers().forEach((type, argv) -> {
                String problem = HandlerPrograms.problem(level, argv);
                boolean defined = c.handlers().stream()
                        .anyMatch(h -> h.window() && h.level() == t && h.type().equals(type));
                if (problem != null && !defined) {
                    notes.add("the built-in window handler for " + type + " at level " + t.word() + " " + problem);
                }
            });
            if (!HandlerPrograms.checkable(level)) {
                notes.add("handlers for level " + t.word() + ": their programs are not checked, image '" + level.image()
                        + "' is not the host's");
            }
        }
        return new PolicyReport(c, errors, notes);
    }

    boolean ok() {
        return errors.isEmpty();
    }
}
