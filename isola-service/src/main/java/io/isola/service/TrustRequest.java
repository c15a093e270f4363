package io.isola.service;

import io.isola.core.policy.Policy;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.trust.Seal;
import io.isola.guard.GuardExplain;
import io.isola.linux.ThreadCredentials;
import io.isola.task.LinkTask;
import io.isola.task.TrustReport;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.function.BiFunction;

/**
 * {@code trust explain} for a client: judged with the caller's rights (a file they cannot read tells them nothing
 * through the daemon either), printed to their stdout.
 */
final class TrustRequest {
    private TrustRequest() {}

    static Message explain(Request r, PolicySource policies, Seal seal, Path stateDir) throws Exception {
        String target = r.message.get(Protocol.TARGET);
        if (target == null || target.isEmpty()) {
            throw RunRequest.refused("trust needs a target");
        }
        if (!LinkTask.isLink(target) && !Path.of(target).isAbsolute()) {
            throw RunRequest.refused("the path '" + target + "' is not absolute");
        }
        boolean json = "true".equals(r.message.get(Protocol.JSON));
        Policy p = policies.forHome(r.user.home());
        PrintStream out = io.isola.linux.FdOutput.print(r.fds[1]);
        BiFunction<TrustClassifier, Path, String> guard = (c, real) -> GuardExplain.explain(p, c, real, stateDir);
        int code;
        try {
            code = r.user.root()
                    ? TrustReport.explain(target, json, p, seal, out, guard)
                    : ThreadCredentials.asUser(
                            r.user.uid(),
                            r.user.gid(),
                            r.user.groups(),
                            () -> TrustReport.explain(target, json, p, seal, out, guard));
        } catch (AccessDeniedException e) {
            return new Message()
                    .add(Protocol.EXIT, 2)
                    .add(
                            Protocol.ERROR,
                            r.user.name() + " may not read " + target
                                    + ": Isola judges only what you could open yourself");
        }
        out.flush();
        return new Message().add(Protocol.EXIT, code);
    }
}
