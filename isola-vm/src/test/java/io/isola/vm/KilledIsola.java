package io.isola.vm;

import io.isola.core.StatePaths;
import io.isola.core.audit.AuditLog;
import java.nio.file.Path;
import java.util.Map;

/** An Isola that fills its pool, says so, then waits to be SIGKILLed by LifecycleTest. */
public final class KilledIsola {
    private KilledIsola() {}

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        VmOptions opt =
                VmOptions.fromEnvironment(new StatePaths(state), Map.of()).withPoolSize(1);
        AuditLog audit = AuditLog.open(state.resolve("audit-killed.jsonl"));
        VmEngine engine = new VmEngine(opt, audit, System.out::println);
        while (engine.poolReady() < 1) {
            Thread.sleep(20);
        }
        try (var dirs = java.nio.file.Files.list(opt.runDir())) {
            for (Path d : dirs.toList()) {
                if (java.nio.file.Files.readString(d.resolve("owner")).equals(VmJanitor.me())) {
                    System.out.println("ready "
                            + java.nio.file.Files.readString(d.resolve("pid")).trim() + " " + d.getFileName());
                }
            }
        }
        System.out.flush();
        Thread.sleep(600_000);
    }
}
