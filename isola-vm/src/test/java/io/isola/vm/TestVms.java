package io.isola.vm;

import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.StatePaths;
import io.isola.core.TaskFiles;
import io.isola.core.audit.AuditLog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One vm engine for every test class of this module: the image and the golden snapshot are built once per test run
 * in target/vm-test-state (a few seconds of squashfs and one TCG boot), then each test takes clones.
 */
final class TestVms {
    private static VmEngine engine;
    private static AuditLog audit;

    private TestVms() {}

    static Path state() {
        return Path.of(System.getProperty("isola.vm.testState", "target/vm-test-state"))
                .toAbsolutePath();
    }

    static VmOptions options() {
        return VmOptions.fromEnvironment(new StatePaths(state()), Map.of()).withPoolSize(1);
    }

    static synchronized VmEngine engine() {
        if (engine == null) {
            audit = AuditLog.open(state().resolve("audit.jsonl"));
            engine = new VmEngine(options(), audit, line -> System.out.println("[vm test set-up] " + line));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> engine.close()));
        }
        return engine;
    }

    static CellSpec spec(List<String> command) {
        return spec(command, TaskFiles.NONE);
    }

    static CellSpec spec(List<String> command, TaskFiles files) {
        return new CellSpec(
                VmEngine.NAME,
                "host",
                command,
                CellEnvironment.build(Map.of(), List.of()),
                List.of(),
                Path.of("/"),
                Network.NONE,
                Limits.DEFAULT,
                files);
    }
}
