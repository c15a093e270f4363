package io.isola.task;

import io.isola.core.Engine;
import io.isola.core.StatePaths;
import io.isola.core.Stdio;
import io.isola.core.audit.AuditLog;
import io.isola.core.output.FileCreator;
import io.isola.core.output.Persister;
import io.isola.core.policy.Policy;
import io.isola.core.policy.PolicyFile;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.trust.Seal;
import io.isola.sandbox.SandboxEngine;
import io.isola.sandbox.SandboxOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;

/** A real sandbox engine with its own state directory, and tasks run under a policy written by the test. */
final class TaskHarness implements AutoCloseable {
    final Path state;
    final Path home;
    final AuditLog audit;
    final SandboxEngine engine;
    final Seal seal;
    /** The network each level's cells get; none unless a test gives its tasks the real proxy. */
    CellNetworks networks = CellNetworks.NONE;

    TaskHarness() {
        try {
            state = Files.createTempDirectory("isola-task-state");
            home = Files.createTempDirectory("isola-task-home");
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
            StatePaths paths = new StatePaths(state);
            audit = AuditLog.open(paths.auditLog());
            engine = new SandboxEngine(SandboxOptions.fromEnvironment(paths, Map.of()), audit);
            seal = Seal.open(state.resolve("seal.key"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path quarantine() {
        return state.resolve("quarantine");
    }

    /** What one task did: its exit code, the cell's stdout and stderr, and Isola's report. */
    record Result(int code, String out, String err, String report) {}

    Result open(String policyToml, Path file) {
        return run(policyToml, (ctx, stdio) -> new OpenTask(ctx).run(file, stdio));
    }

    Result view(String policyToml, Path file) {
        return run(policyToml, (ctx, stdio) -> new ViewTask(ctx).run(file, stdio));
    }

    Result view(String policyToml, Path file, ViewTask.Options options) {
        return run(policyToml, (ctx, stdio) -> new ViewTask(ctx).run(file, options, stdio));
    }

    Result link(String policyToml, String url) {
        return run(policyToml, (ctx, stdio) -> new LinkTask(ctx).run(url, stdio));
    }

    interface Task {
        int run(TaskContext ctx, Stdio stdio) throws Exception;
    }

    Result run(String policyToml, Task task) {
        Policy policy = PolicyFile.parse(policyToml, "test-policy.toml", home);
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        Path io = null;
        try {
            io = Files.createTempDirectory("isola-task-io");
            Path in = Files.createFile(io.resolve("in")), out = io.resolve("out"), err = io.resolve("err");
            TaskContext ctx = new TaskContext(
                    policy,
                    new TrustClassifier(policy, seal),
                    seal,
                    name -> {
                        if (!name.equals(engine.name())) {
                            return NetEngines.engine(
                                    name, this); // the vm engine, where the tests that ask for it can run
                        }
                        return (Engine) engine;
                    },
                    new Persister(quarantine(), quarantine(), seal, new int[] {0, 0}, FileCreator.ISOLA),
                    audit,
                    new TaskDirs(state.resolve("tasks")),
                    Map.of(),
                    new PrintStream(report, true, StandardCharsets.UTF_8),
                    networks);
            int code = task.run(ctx, Stdio.files(in, out, err));
            return new Result(code, read(out), read(err), report.toString(StandardCharsets.UTF_8));
        } catch (io.isola.core.IsolaException e) {
            return new Result(-1, "", "", report.toString(StandardCharsets.UTF_8) + "isola: " + e.getMessage());
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            if (io != null) {
                delete(io); // also when the task was refused: a test leaves nothing in /tmp
            }
        }
    }

    /** What the cell wrote there; nothing when no cell ran (a task that found its work already done). */
    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p) : "";
    }

    /**
     * A fresh folder standing in for a user's documents. It lies under target/, not /tmp: a policy rightly refuses
     * to trust a place where anyone can drop files.
     */
    static Path folder(String prefix) throws IOException {
        Path base = Files.createDirectories(Path.of("target/task-folders").toAbsolutePath());
        Path d = Files.createTempDirectory(base, prefix);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        return d;
    }

    java.util.List<String> auditLines() {
        try {
            return Files.readAllLines(state.resolve("audit.jsonl"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        engine.close();
        audit.close();
        delete(state);
        delete(home);
    }

    static void delete(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // test scratch space
        }
    }
}
