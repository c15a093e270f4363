package io.isola.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.IsolaException;
import io.isola.core.StatePaths;
import io.isola.core.audit.AuditLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine that cannot start says why and leaves nothing, and the next one works. The daemon makes an engine per
 * user at their first request: a start-up that half-failed used to be kept, and every later cell of that user failed
 * with "cannot manage cgroups" (its threads prepared cells in namespaces they could never leave).
 */
@Tag("kernel")
class FailedStartTest {
    @TempDir
    Path tmp;

    @Test
    void aStateDirectoryCellsCannotReachFailsTheStartAndLeavesNothing() throws Exception {
        Path closed = Files.createDirectory(tmp.resolve("closed"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        StatePaths paths = new StatePaths(closed.resolve("state"));
        long threadsBefore = namespaceThreads();

        try (AuditLog audit = AuditLog.open(paths.auditLog())) {
            assertThatThrownBy(() -> new SandboxEngine(SandboxOptions.fromEnvironment(paths, Map.of()), audit))
                    .isInstanceOf(IsolaException.class)
                    .hasMessageContaining("cells cannot reach the state directory through " + closed)
                    .hasMessageContaining("chmod o+x");
        }
        CellLifecycleTest.waitUntil(() -> namespaceThreads() == threadsBefore);
        CellLifecycleTest.waitUntil(() -> Leftovers.cellCgroups().isEmpty());

        // Fixed as the message says, the same place works: in this process, which the failed start left clean.
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx--x--x"));
        try (AuditLog audit = AuditLog.open(paths.auditLog());
                SandboxEngine engine = new SandboxEngine(SandboxOptions.fromEnvironment(paths, Map.of()), audit)) {
            var out = Files.createFile(tmp.resolve("out"));
            var stdio = io.isola.core.Stdio.files(Path.of("/dev/null"), out, Path.of("/dev/null"));
            try (var cell = engine.start(
                    TestCells.spec(List.of("/bin/echo", "works"), io.isola.core.Limits.DEFAULT, List.of()), stdio)) {
                assertThat(cell.waitFor().exitCode()).isZero();
            }
            assertThat(Files.readString(out)).isEqualTo("works\n");
        }
    }

    /** The engine's namespace threads alive in this JVM. */
    private static long namespaceThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t ->
                        t.getName().startsWith("isola-mountns") || t.getName().startsWith("isola-prepare"))
                .count();
    }
}
