package io.isola.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real isola command line in its own JVM, as a user's shell would. */
final class Cli {
    final Path state;
    private List<String> wrapper = List.of();
    private String classPath = System.getProperty("java.class.path");

    Cli(Path state) {
        this.state = state;
    }

    /** The same, each command run under {@code wrapper} (e.g. setpriv to another user) with {@code classPath}. */
    Cli under(List<String> wrapper, String classPath) {
        Cli c = new Cli(state);
        c.wrapper = List.copyOf(wrapper);
        c.classPath = classPath;
        return c;
    }

    record Result(int code, String out, String err) {}

    ProcessBuilder builder(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "-cp",
                classPath,
                Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("ISOLA_STATE_DIR", state.toString());
        pb.environment().putAll(env);
        return pb;
    }

    /**
     * The command as a terminal would start it: SIGINT and SIGQUIT at their defaults. A test run from a background job
     * (`mvn verify &`, nohup) inherits them ignored, and the JVM then installs no SIGINT handler at all, so a test of
     * Ctrl-C would test nothing. Perl can reset an ignored signal (a shell cannot) and then execs the command, which
     * keeps its pid.
     */
    static ProcessBuilder asFromATerminal(ProcessBuilder pb) {
        List<String> cmd = new ArrayList<>(List.of(
                "perl", "-e", "$SIG{INT} = $SIG{QUIT} = 'DEFAULT'; exec {$ARGV[0]} @ARGV or die \"$ARGV[0]: $!\\n\";"));
        cmd.addAll(pb.command());
        return pb.command(cmd);
    }

    Result run(String... args) {
        return run(Map.of(), null, args);
    }

    Result run(Map<String, String> env, String stdin, String... args) {
        return run(null, env, stdin, args);
    }

    /** Runs isola in {@code dir} (null: this JVM's working directory), as from a shell there. */
    Result run(Path dir, Map<String, String> env, String stdin, String... args) {
        try {
            Path out = Files.createTempFile("isola-cli", ".out"), err = Files.createTempFile("isola-cli", ".err");
            try {
                ProcessBuilder pb =
                        builder(env, args).redirectOutput(out.toFile()).redirectError(err.toFile());
                if (dir != null) {
                    pb.directory(dir.toFile());
                }
                if (stdin == null) {
                    pb.redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                }
                Process p = pb.start();
                if (stdin != null) {
                    p.getOutputStream().write(stdin.getBytes());
                    p.getOutputStream().close();
                }
                try {
                    if (!p.waitFor(120, TimeUnit.SECONDS)) {
                        throw new AssertionError("isola " + String.join(" ", args) + " hung");
                    }
                } finally {
                    p.destroyForcibly(); // also when a test's own timeout interrupted the wait
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    List<String> audit() {
        try {
            Path log = state.resolve("audit.jsonl");
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
