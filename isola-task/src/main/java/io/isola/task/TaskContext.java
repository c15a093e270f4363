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
 * @param networks the network each level's cells get ({@link CellNetworks#NONE}: none at all)
 * @param windows where a cell's window is shown: this process's ({@link WindowPlace#IN_THIS_PROCESS}), or the
 *     service's client's
 * @param displays where a sandbox cell's window gets its display: started when asked, or prepared ahead (the service)
 */
public record TaskContext(
        Policy policy,
        TrustClassifier classifier,
        Seal seal,
        java.util.function.Function<String, Engine> engines,
        Persister persister,
        AuditLog audit,
        TaskDirs dirs,
        Map<String, String> callerEnv,
        PrintStream report,
        CellNetworks networks,
        WindowPlace windows,
        Displays displays) {
    /** A context whose cells' windows are shown by this process. */
    public TaskContext(
            Policy policy,
            TrustClassifier classifier,
            Seal seal,
            java.util.function.Function<String, Engine> engines,
            Persister persister,
            AuditLog audit,
            TaskDirs dirs,
            Map<String, String> callerEnv,
            PrintStream report,
            CellNetworks networks) {
        this(
                policy,
                classifier,
                seal,
                engines,
                persister,
                audit,
                dirs,
                callerEnv,
                report,
                networks,
                WindowPlace.IN_THIS_PROCESS,
                Displays.atOnce());
    }

    /** A context whose cells get no network, whatever their level says. */
    public TaskContext(
            Policy policy,
            TrustClassifier classifier,
            Seal seal,
            java.util.function.Function<String, Engine> engines,
            Persister persister,
            AuditLog audit,
            TaskDirs dirs,
            Map<String, String> callerEnv,
            PrintStream report) {
        this(policy, classifier, seal, engines, persister, audit, dirs, callerEnv, report, CellNetworks.NONE);
    }

    /** The same context, its cells' windows shown at {@code place}. */
    public TaskContext withWindows(WindowPlace place) {
        return new TaskContext(
                policy,
                classifier,
                seal,
                engines,
                persister,
                audit,
                dirs,
                callerEnv,
                report,
                networks,
                place,
                displays);
    }

    /** The network the cells of trust level {@code level} get: the policy's word for it, through the front-end. */
    public io.isola.core.Network network(io.isola.core.trust.TrustLevel level) {
        return networks.forAccess(policy.network().access(level));
    }
}
