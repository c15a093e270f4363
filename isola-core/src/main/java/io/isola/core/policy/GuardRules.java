package io.isola.core.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The policy's {@code [guard]} section: where untrusted files may be opened only from cells.
 *
 * @param paths the places watched (the guard asks the kernel about every file of the mounts that hold them)
 * @param allow executables that may open untrusted files on the host anyway (a backup tool)
 * @param mark places where a file a host program creates without an origin mark is marked as of unknown origin
 * @param denyOnOverload the answer when the guard cannot judge in time: deny (safe) or allow (available)
 * @param answerWithin the longest a request may wait before it gets the overload answer
 */
public record GuardRules(
        List<Path> paths, List<Path> allow, List<Path> mark, boolean denyOnOverload, Duration answerWithin) {
    public static final Duration DEFAULT_ANSWER_WITHIN = Duration.ofMillis(500);
    /** No place watched: the guard has nothing to do. */
    public static final GuardRules NONE = new GuardRules(List.of(), List.of(), List.of(), true, DEFAULT_ANSWER_WITHIN);

    public GuardRules {
        paths = List.copyOf(paths);
        allow = List.copyOf(allow);
        mark = List.copyOf(mark);
    }

    /** The same rules watching other places (the command line's --path). */
    public GuardRules watching(List<Path> places) {
        return new GuardRules(places, allow, mark, denyOnOverload, answerWithin);
    }
}
