package io.isola.service;

import io.isola.core.Engine;
import io.isola.core.IsolaException;
import io.isola.core.StatePaths;
import io.isola.core.audit.AuditLog;
import io.isola.sandbox.SandboxEngine;
import io.isola.sandbox.SandboxOptions;
import io.isola.task.Displays;
import io.isola.vm.VmEngine;
import io.isola.vm.VmOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The daemon's engines, kept warm. A sandbox cell acts as its caller on its --ro/--rw view (the engine's namespace
 * thread is that user, which is also what checks the view is theirs), so each user gets a sandbox engine of their
 * own, made at their first request and refilling its pool of prepared cells in idle time; one user's flood drains
 * only their pool. The vm engine copies inputs in and acts for no one on the host: one serves everyone.
 */
final class Engines implements AutoCloseable {
    private final StatePaths paths;
    private final AuditLog audit;
    private final Map<String, String> env;
    private final int poolSize;
    private final Consumer<String> log;
    private final Map<Integer, SandboxEngine> sandboxes = new HashMap<>();
    /** Each user's window displays, one prepared ahead in their sandbox engine once they have opened a window. */
    private final Map<Integer, Displays> displays = new HashMap<>();

    private VmEngine vm;
    private boolean closed;

    Engines(StatePaths paths, AuditLog audit, Map<String, String> env, int poolSize, Consumer<String> log) {
        this.paths = paths;
        this.audit = audit;
        this.env = env;
        this.poolSize = poolSize;
        this.log = log;
    }

    /** The engine called {@code name} for {@code user}, started now if it is not yet. */
    Engine forUser(User user, String name) {
        if (VmEngine.NAME.equals(name)) {
            return vm();
        }
        if (!SandboxEngine.NAME.equals(name)) {
            throw new IsolaException("unknown engine '" + name + "': the engines are 'sandbox' and 'vm'", 2);
        }
        synchronized (this) {
            check();
            SandboxEngine e = sandboxes.get(user.uid());
            if (e == null) {
                Map<String, String> forUser = new HashMap<>(env);
                if (!user.root()) {
                    // the caller's identity wins over any override the daemon was started with
                    forUser.remove("ISOLA_CELL_UID");
                    forUser.remove("ISOLA_CELL_GID");
                }
                forUser.putAll(user.callerEnv());
                SandboxOptions base = SandboxOptions.fromEnvironment(paths, forUser);
                e = new SandboxEngine(
                        new SandboxOptions(
                                base.paths(),
                                base.bwrap(),
                                base.cgroupRoot(),
                                base.callerUid(),
                                base.callerGid(),
                                poolSize,
                                true),
                        audit);
                sandboxes.put(user.uid(), e);
                log.accept("sandbox engine ready for " + user.name() + " (pool of " + poolSize + ")");
            }
            return e;
        }
    }

    /** Where {@code user}'s sandbox windows get their displays: one kept prepared at their last window's size. */
    synchronized Displays displaysFor(User user) {
        check();
        return displays.computeIfAbsent(
                user.uid(), uid -> Displays.preparedAhead(() -> forUser(user, SandboxEngine.NAME)));
    }

    private synchronized Engine vm() {
        check();
        if (vm == null) {
            vm = new VmEngine(VmOptions.fromEnvironment(paths, env), audit, log, false);
            log.accept("vm engine ready");
        }
        return vm;
    }

    private void check() {
        if (closed) {
            throw new IsolaException("the Isola service is stopping: try again in a moment");
        }
    }

    /** Kills every cell of every engine. */
    @Override
    public void close() {
        Map<Integer, SandboxEngine> all;
        Map<Integer, Displays> prepared;
        VmEngine v;
        synchronized (this) {
            closed = true;
            all = new HashMap<>(sandboxes);
            prepared = new HashMap<>(displays);
            v = vm;
        }
        prepared.values().forEach(Displays::close); // their cells, before the engines that hold them
        for (SandboxEngine e : all.values()) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                log.accept("closing a sandbox engine: " + ex.getMessage());
            }
        }
        if (v != null) {
            v.close();
        }
    }
}
