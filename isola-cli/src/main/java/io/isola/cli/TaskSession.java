package io.isola.cli;

import io.isola.core.EngineNames;
import io.isola.core.Host;
import io.isola.core.IsolaException;
import io.isola.core.StatePaths;
import io.isola.core.output.Persister;
import io.isola.core.policy.Policy;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.trust.Seal;
import io.isola.net.ProxyOnDemand;
import io.isola.task.ProxyNetworks;
import io.isola.task.TaskContext;
import io.isola.task.TaskDirs;
import io.isola.task.TypeDetector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** A {@link Session} plus what tasks need: the policy, the seal, the persister and the task directories. */
final class TaskSession implements AutoCloseable {
    final Session session;
    final TaskContext context;
    private final ProxyNetworks networks;

    private TaskSession(Session session, TaskContext context, ProxyNetworks networks) {
        this.session = session;
        this.context = context;
        this.networks = networks;
    }

    /**
     * Reading the policy and loading the type database take tens of milliseconds each on a cold JVM; they run on
     * threads of their own while this one starts the engine and its first cell.
     */
    static TaskSession open(Path stateDir, Path policyFile) {
        return open(stateDir, policyFile, 1);
    }

    /** @param cells the cells the task needs: two for a window (its display has a cell of its own) */
    static TaskSession open(Path stateDir, Path policyFile, int cells) {
        TypeDetector.preload();
        CompletableFuture<Policy> reading = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("isola-policy").start(() -> {
            try {
                reading.complete(Policies.load(policyFile));
                io.isola.core.Trace.mark("policy read");
            } catch (Throwable e) {
                reading.completeExceptionally(e);
            }
        });
        Session s = Session.open(stateDir, EngineNames.SANDBOX, cells);
        try {
            Policy policy;
            try {
                policy = reading.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            Path root = s.paths.root();
            Seal seal = seal(root);
            TaskDirs dirs = new TaskDirs(root.resolve("tasks"));
            dirs.sweep();
            Persister persister = new Persister(
                    root.resolve("quarantine"),
                    root.resolve("quarantine"),
                    seal,
                    Host.invokingIds(System.getenv()),
                    io.isola.task.CallerFiles.creator(System.getenv()));
            // Each level's cells get its network through one proxy, started when a cell first reaches out.
            ProxyNetworks networks = new ProxyNetworks(ProxyOnDemand.onThisHost(policy.network(), s.audit::record));
            TaskContext ctx = new TaskContext(
                    policy,
                    new TrustClassifier(policy, seal),
                    seal,
                    s::engine,
                    persister,
                    s.audit,
                    dirs,
                    System.getenv(),
                    System.err,
                    networks);
            return new TaskSession(s, ctx, networks);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static Seal seal(Path stateRoot) {
        if (!Files.exists(stateRoot.resolve("seal.key"))) {
            new StatePaths(stateRoot).create(); // the key is made there: say what to do when it cannot be
        }
        try {
            return Seal.open(stateRoot.resolve("seal.key"));
        } catch (IOException e) {
            throw new IsolaException("cannot open Isola's seal key: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            networks.close();
        } finally {
            session.close();
        }
    }
}
