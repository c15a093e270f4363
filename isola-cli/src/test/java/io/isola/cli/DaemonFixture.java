package io.isola.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code isola daemon} in its own JVM on a temporary socket and state directory, and clients that reach it:
 * the real command line, as root or (through setpriv) as another user.
 */
final class DaemonFixture implements AutoCloseable {
    final Path dir;
    final Path socket;
    final Path state;
    final Path log;
    final Cli clients;
    Process daemon;
    private final Map<String, String> daemonEnv;

    DaemonFixture(String... options) throws Exception {
        this(Map.of(), options);
    }

    /** A daemon whose environment also has {@code env} (e.g. ISOLA_POLICY, ISOLA_DNS). */
    DaemonFixture(Map<String, String> env, String... options) throws Exception {
        daemonEnv = Map.copyOf(env);
        dir = Files.createTempDirectory("isola-daemon");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        socket = dir.resolve("isola.sock");
        state = dir.resolve("state");
        log = dir.resolve("daemon.log");
        clients = new Cli(Files.createDirectories(dir.resolve("client-state")));
        start(options);
    }

    void start(String... options) throws Exception {
        long before = Files.exists(log) ? Files.size(log) : 0; // a restart appends: wait for its own line
        List<String> args = new ArrayList<>(List.of("daemon", "--socket", socket.toString()));
        args.addAll(List.of(options));
        Map<String, String> env = new java.util.HashMap<>(daemonEnv);
        env.put("ISOLA_STATE_DIR", state.toString());
        daemon = clients.builder(env, args.toArray(String[]::new))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).substring((int) before).contains("serving on")) {
            if (!daemon.isAlive() || System.nanoTime() > until) {
                throw new AssertionError("the daemon did not start: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    /** The environment that sends a client to this daemon. */
    Map<String, String> env() {
        return Map.of("ISOLA_SOCKET", socket.toString());
    }

    Cli.Result run(String... args) {
        return clients.run(env(), null, args);
    }

    ProcessBuilder client(String... args) {
        return clients.builder(env(), args);
    }

    /** A client JVM running as {@code uid}: the classpath is copied where that user can read it. */
    ProcessBuilder clientAs(int uid, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                "setpriv",
                "--reuid=" + uid,
                "--regid=" + uid,
                "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "-cp",
                readableClasspath(),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("ISOLA_SOCKET", socket.toString());
        pb.environment().put("HOME", dir.toString());
        return pb;
    }

    Cli.Result runAs(int uid, String... args) throws Exception {
        Path out = Files.createTempFile(dir, "out", ""), err = Files.createTempFile(dir, "err", "");
        Process p = clientAs(uid, args)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("client hung");
        }
        return new Cli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * Writes an {@code isola} command at {@code path} that runs this build's classes from a copy every user can read
     * ({@link #readableClasspath}), as a plain user's session would run the installed one.
     */
    static Path readableLauncher(Path path) throws IOException {
        Files.writeString(path, """
                #!/bin/sh
                exec %s --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:-UsePerfData -cp %s %s "$@"
                """.formatted(
                Path.of(System.getProperty("java.home"), "bin", "java"), readableClasspath(), Main.class.getName()));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }

    private static String classpath;

    static synchronized String readableClasspath() {
        if (classpath != null) {
            return classpath;
        }
        try {
            Path copy = Files.createTempDirectory("isola-cp");
            // one copy per test JVM, removed when it exits: nothing of a test run stays in /tmp
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Cleanup.deleteTree(copy)));
            List<String> entries = new ArrayList<>();
            int i = 0;
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path from = Path.of(e);
                Path to = copy.resolve(i++ + "-" + from.getFileName());
                if (Files.isDirectory(from)) {
                    try (Stream<Path> s = Files.walk(from)) {
                        for (Path f : s.toList()) {
                            Path t = to.resolve(from.relativize(f).toString());
                            if (Files.isDirectory(f)) {
                                Files.createDirectories(t);
                            } else {
                                Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
                            }
                        }
                    }
                } else if (Files.exists(from)) {
                    Files.copy(from, to);
                }
                entries.add(to.toString());
            }
            try (Stream<Path> s = Files.walk(copy)) {
                for (Path f : s.toList()) {
                    Files.setPosixFilePermissions(
                            f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            classpath = String.join(File.pathSeparator, entries);
            return classpath;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroy(); // SIGTERM: stops every cell
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        Cleanup.deleteTree(dir);
    }
}
