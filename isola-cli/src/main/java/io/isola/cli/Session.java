package io.isola.cli;

import io.isola.core.Engine;
import io.isola.core.EngineNames;
import io.isola.core.Host;
import io.isola.core.IsolaException;
import io.isola.core.StatePaths;
import io.isola.core.Trace;
import io.isola.core.audit.AuditLog;
import io.isola.sandbox.SandboxEngine;
import io.isola.sandbox.SandboxOptions;
import io.isola.vm.VmEngine;
import io.isola.vm.VmOptions;
import java.nio.file.Path;
import java.util.Map;

/** What every command that makes cells needs: the state directory, the audit log and the engine. */
final class Session implements AutoCloseable {
    final StatePaths paths;
    final AuditLog audit;
    final Engine engine;
    private Engine other;

    private Session(StatePaths paths, AuditLog audit, Engine engine) {
        this.paths = paths;
        this.audit = audit;
        this.engine = engine;
    }

    static StatePaths paths(Path stateDir) {
        Map<String, String> env = System.getenv();
        return stateDir != null
                ? new StatePaths(stateDir.toAbsolutePath())
                : StatePaths.fromEnvironment(env, Host.isRoot());
    }

    /** @param cells the cells the command's task needs: two for a window (its display has a cell of its own) */
    static Session open(Path stateDir, String engineName, int cells) {
        EngineNames.require(engineName);
        Warmup.start();
        Main.cellsMade = true;
        if (!VmEngine.NAME.equals(engineName)) {
            SandboxEngine.requireRoot(); // the basic reason first: a plain user needs sudo, not a state folder
        }
        StatePaths paths = paths(stateDir);
        paths.create();
        AuditLog audit;
        try {
            audit = AuditLog.open(paths.auditLog());
            Trace.mark("audit log open");
        } catch (java.io.UncheckedIOException e) {
            throw new IsolaException(e.getMessage());
        }
        try {
            return new Session(paths, audit, create(engineName, paths, audit, cells));
        } catch (RuntimeException e) {
            audit.close();
            throw e;
        }
    }

    private static Engine create(String name, StatePaths paths, AuditLog audit, int cells) {
        return VmEngine.NAME.equals(name)
                ? new VmEngine(
                        VmOptions.fromEnvironment(paths, System.getenv()).withPoolSize(0),
                        audit,
                        line -> System.err.println("isola: " + line),
                        false)
                : new SandboxEngine(options(paths, cells), audit);
    }

    /**
     * The engine called {@code name}: the one this session opened, or another one started now (a task whose policy
     * level asks for the other engine), which the session closes with itself.
     */
    synchronized Engine engine(String name) {
        if (name.equals(engine.name())) {
            return engine;
        }
        EngineNames.require(name);
        if (other == null) {
            other = create(name, paths, audit, 1);
        }
        return other;
    }

    /** A one-shot command starts the cells it needs, prepared while the engine starts up; more would be thrown away. */
    private static SandboxOptions options(StatePaths paths, int cells) {
        return SandboxOptions.fromEnvironment(paths, System.getenv()).oneShot(cells);
    }

    @Override
    public void close() {
        try {
            engine.close();
            synchronized (this) {
                if (other != null) {
                    other.close();
                }
            }
            Trace.mark("engine closed");
        } finally {
            audit.close();
        }
    }
}
