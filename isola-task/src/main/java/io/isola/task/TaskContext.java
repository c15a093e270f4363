package io.isola.task;

import io.isola.core.Engine;
import io.isola.core.audit.AuditLog;
import io.isola.core.output.Persister;
import io.isola.core.policy.Policy;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.trust.Seal;
import java.io.PrintStream;
import java.util.Map;

/**
 * What every task needs, made once by the front end.
 *
 * @param seal signs the marks Isola writes (see {@link Seal})
 * @param engines the engine for a name the policy chose ({@code sandbox}, {@code vm})
 * @param report where the task tells the user what happened (stderr in the CLI: stdout is the task's)
 */
public record TaskContext(Policy policy, TrustClassifier classifier, Seal seal,
        java.util.function.Function<String, Engine> engines,
        Persister persister, AuditLog audit, TaskDirs dirs, Map<String, String> callerEnv, PrintStream report) {}
