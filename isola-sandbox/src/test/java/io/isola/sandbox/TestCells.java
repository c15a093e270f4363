package io.isola.sandbox;

import io.isola.core.Cell;
import io.isola.core.CellEnvironment;
import io.isola.core.CellExit;
import io.isola.core.CellSpec;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.StatePaths;
import io.isola.core.Stdio;
import io.isola.core.ViewEntry;
import io.isola.core.audit.AuditLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real sandbox engine on a private state directory, and a shorthand to run shell snippets in cells. */
final class TestCells implements AutoCloseable {
    final Path state;
    final AuditLog audit;
    final SandboxEngine engine;
    private final Path io;

    TestCells() {
        this(Map.of());
    }

    /** An engine configured by {@code env} as if it were the environment (say, SUDO_UID for a caller). */
    TestCells(Map<String, String> env) {
        try {
            state = Files.createTempDirectory("isola-test-state");
            io = Files.createTempDirectory("isola-test-io");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StatePaths paths = new StatePaths(state);
        audit = AuditLog.open(paths.auditLog());
        engine = new SandboxEngine(SandboxOptions.fromEnvironment(paths, env), audit);
    }

    /** Cells the engine keeps prepared ahead, each with a cgroup and a mount namespace. */
    int pooled() {
        return SandboxOptions.fromEnvironment(new StatePaths(state), Map.of()).poolSize();
    }

    record Result(CellExit exit, String out, String err) {
        int code() {
            return exit.exitCode();
        }
    }

    static CellSpec spec(List<String> cmd, Limits limits, List<ViewEntry> view) {
        return new CellSpec(
                "sandbox", "host", cmd, CellEnvironment.build(Map.of(), List.of()), view, null, Network.NONE, limits);
    }

    Result sh(String script) {
        return run(spec(List.of("/bin/sh", "-c", script), Limits.DEFAULT, List.of()), null);
    }

    Result sh(String script, Limits limits) {
        return run(spec(List.of("/bin/sh", "-c", script), limits, List.of()), null);
    }

    /** A scratch file for a cell's standard stream. */
    Path scratch(String prefix) {
        try {
            return Files.createTempFile(io, prefix, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Result run(CellSpec spec, String stdin) {
        try {
            Path in = Files.createTempFile(io, "in", "");
            Path out = Files.createTempFile(io, "out", "");
            Path err = Files.createTempFile(io, "err", "");
            Files.writeString(in, stdin == null ? "" : stdin);
            try (Cell cell = engine.start(spec, Stdio.files(in, out, err))) {
                CellExit exit =
                        cell.waitFor(Duration.ofSeconds(120)).orElseThrow(() -> new AssertionError("cell hung"));
                return new Result(exit, Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(in);
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** A directory every cell user can read (temp directories are 0700 by default). */
    static Path sharedDir(String prefix) {
        try {
            Path d = Files.createTempDirectory(prefix);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<String> auditLines() {
        try {
            return new ArrayList<>(Files.readAllLines(state.resolve("audit.jsonl")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        engine.close();
        audit.close();
        deleteTree(state);
        deleteTree(io);
    }

    static void deleteTree(Path p) {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort for test scratch space
        }
    }
}
