package io.isola.task;

import io.isola.core.Engine;
import io.isola.core.StatePaths;
import io.isola.core.audit.AuditLog;
import io.isola.vm.VmEngine;
import io.isola.vm.VmOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The engines the end-to-end network tests run in, by name: the harness's sandbox engine, and one vm engine shared by
 * the tests (skipped, with the reason printed, only where the machine has no QEMU).
 */
final class NetEngines {
    private static VmEngine vm;

    private NetEngines() {}

    static Engine engine(String name, TaskHarness h) {
        if (name.equals(h.engine.name())) {
            return h.engine;
        }
        if (!Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"))) {
            skip("the vm engine needs QEMU (qemu-system-x86), which this machine lacks");
        }
        synchronized (NetEngines.class) {
            if (vm == null) {
                Path state = Path.of("target/vm-test-state").toAbsolutePath();
                AuditLog audit = AuditLog.open(state.resolve("audit.jsonl"));
                vm = new VmEngine(
                        VmOptions.fromEnvironment(new StatePaths(state), Map.of())
                                .withPoolSize(1),
                        audit,
                        line -> System.out.println("[vm test set-up] " + line));
                Runtime.getRuntime().addShutdownHook(new Thread(vm::close));
            }
            return vm;
        }
    }

    private static void skip(String why) {
        System.out.println("SKIP vm: " + why);
        Assumptions.abort(why);
    }
}
