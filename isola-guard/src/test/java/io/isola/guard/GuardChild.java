package io.isola.guard;

import io.isola.core.audit.AuditLog;
import io.isola.core.policy.Policy;
import io.isola.core.policy.PolicyFile;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.trust.Seal;
import java.nio.file.Files;
import java.nio.file.Path;

/** A guard in a process of its own, for the tests that kill it: args POLICY STATE HOME. Runs until killed. */
public final class GuardChild {
    private GuardChild() {}

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[1]);
        Policy p = PolicyFile.parse(Files.readString(Path.of(args[0])), args[0], Path.of(args[2]));
        Guard.start(
                p.guard(),
                new TrustClassifier(p, Seal.open(state.resolve("seal.key"))),
                state,
                AuditLog.open(state.resolve("audit.jsonl")));
        System.out.print("ready\n");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
