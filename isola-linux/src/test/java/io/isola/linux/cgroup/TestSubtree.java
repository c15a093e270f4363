package io.isola.linux.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** Test helper: a uniquely named Isola subtree in the real cgroup hierarchies, and its removal. */
final class TestSubtree {
    static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final List<String> V1_CONTROLLERS = List.of("memory", "pids", "cpu", "cpuacct");

    private TestSubtree() {}

    static String uniqueName() {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        return "isola-unittest-" + HexFormat.of().formatHex(b);
    }

    /** Where {@code subtree} lives in each hierarchy under {@code root} (v1: one per controller; v2: one). */
    static List<Path> directories(Path root, String subtree) {
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            return List.of(root.resolve(subtree));
        }
        return V1_CONTROLLERS.stream()
                .map(c -> root.resolve(c).resolve(subtree))
                .toList();
    }

    /**
     * Removes the subtree: kills whatever is left in its child cgroups, removes them, then the subtree itself. Only
     * empty cgroup directories are removed, which is all rmdir allows.
     */
    static void remove(Path root, String subtree) throws IOException {
        for (Path dir : directories(root, subtree)) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> children = Files.list(dir)) {
                for (Path child : children.filter(Files::isDirectory).toList()) {
                    killAll(child);
                    Cgroup.removeDir(child);
                }
            }
            Cgroup.removeDir(dir);
        }
    }

    private static void killAll(Path cgroup) throws IOException {
        Path procs = cgroup.resolve("cgroup.procs");
        for (String pid : Files.readAllLines(procs)) {
            if (!pid.isBlank()) {
                io.isola.linux.Libc.kill(Integer.parseInt(pid.trim()), io.isola.linux.Libc.SIGKILL);
            }
        }
    }
}
