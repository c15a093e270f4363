package io.isola.vm;

import io.isola.core.IsolaException;
import io.isola.core.StatePaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How the vm engine is set up.
 *
 * @param dir the engine's state: {@code image/}, {@code golden/}, {@code run/}
 * @param memoryMb guest RAM, fixed when the golden snapshot is taken
 * @param poolSize clones kept booted and ready ({@code ISOLA_VM_POOL_SIZE})
 * @param uid the unprivileged user QEMU runs as when Isola is root ({@code ISOLA_VM_UID}, default nobody)
 * @param readyTimeout how long a guest may take to answer before Isola gives up on it
 */
public record VmOptions(Path dir, int memoryMb, int poolSize, int uid, Duration readyTimeout) {
    public static final int NOBODY = 65534;

    public static VmOptions fromEnvironment(StatePaths paths, Map<String, String> env) {
        return new VmOptions(
                paths.root().resolve("vm"),
                number(env, "ISOLA_VM_MEMORY_MB", 512, 128, 65536),
                number(env, "ISOLA_VM_POOL_SIZE", 1, 0, 64),
                number(env, "ISOLA_VM_UID", NOBODY, 1, Integer.MAX_VALUE),
                Duration.ofSeconds(number(env, "ISOLA_VM_READY_TIMEOUT", 120, 1, 3600)));
    }

    public VmOptions withPoolSize(int n) {
        return new VmOptions(dir, memoryMb, n, uid, readyTimeout);
    }

    public VmOptions withReadyTimeout(Duration d) {
        return new VmOptions(dir, memoryMb, poolSize, uid, d);
    }

    Path imageDir() {
        return dir.resolve("image");
    }

    Path goldenDir() {
        return dir.resolve("golden");
    }

    Path runDir() {
        return dir.resolve("run");
    }

    private static int number(Map<String, String> env, String name, int def, int min, int max) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IsolaException(
                name + " must be a whole number from " + min + " to " + max + " (it is '" + v + "')", 2);
    }
}
