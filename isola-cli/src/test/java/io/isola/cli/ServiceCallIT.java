package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real launcher, bin/isola, against a real daemon: its plain {@code run}, {@code open} and {@code trust explain}
 * go to the service through bin/service-call, with no JVM, and the person sees what the JVM client shows them
 * (the same output, words, exit codes, streams, Ctrl-C and death). Each case is compared with the same command
 * through the JVM client ({@code ISOLA_NO_QUICK=1}, which is also what the launcher falls back to). Runs after
 * {@code package} (failsafe): the fallback needs the jar.
 */
@Tag("kernel")
class ServiceCallIT {
    static final Path LAUNCHER = InstallIT.ROOT.resolve("bin/isola");
    static DaemonFixture d;

    @BeforeAll
    static void start() throws Exception {
        d = new DaemonFixture();
    }

    @AfterAll
    static void stop() throws Exception {
        d.close();
    }

    @Test
    void runGoesToTheServiceWithoutAJvmAndShowsWhatTheJvmClientShows() throws Exception {
        String script = "cat; echo to-stderr >&2; exit 7";
        Result quick = sh(false, "printf 'from the caller\\n' | " + isola("run", "/bin/sh", "-c", script));
        Result jvm = sh(true, "printf 'from the caller\\n' | " + isola("run", "--", "/bin/sh", "-c", script));
        assertThat(quick).isEqualTo(jvm).isEqualTo(new Result(7, "from the caller\n", "to-stderr\n"));

        // the cell's environment is the same: the fixed one, and only LANG, TERM, TZ, COLUMNS and LINES of the caller
        String env = isola("run", "--", "/bin/sh", "-c", "env | sort") + " | grep -v '^PWD='";
        String caller = "export TERM=xterm-test LANG=C.UTF-8 TZ=UTC COLUMNS=101 LINES=33 SECRET=not-passed; ";
        Result quickEnv = sh(false, caller + env);
        assertThat(quickEnv).isEqualTo(sh(true, caller + env));
        assertThat(quickEnv.out())
                .contains("TERM=xterm-test\n", "COLUMNS=101\n", "HOME=/home/user\n")
                .doesNotContain("SECRET");

        // and while the task runs, the command is perl, not a JVM, and the service has the cell
        String marker = "isola-quick-" + System.nanoTime();
        Process client = sleeper(marker);
        DaemonCliTest.waitUntil(() -> Cleanup.processesWith(marker + " 600") == 1);
        assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(client.pid()), "exe"))
                        .toString())
                .isEqualTo("/usr/bin/perl");
        assertThat(client.descendants().map(p -> p.info().command().orElse(""))).noneMatch(c -> c.endsWith("/java"));
        assertThat(d.run("ps").out()).contains(marker);
        client.destroyForcibly();
        client.waitFor();
    }

    @Test
    void theCellWritesAndReadsTheCallersOwnFileDescriptions() throws Exception {
        // descriptors, not names: the shell's offset into a file it reads is where the cell goes on, and output
        // redirected with >> appends
        Path in = Files.writeString(d.dir.resolve("in.txt"), "first\nsecond\nthird\n");
        Path out = Files.writeString(d.dir.resolve("out.txt"), "kept\n");
        Result r = sh(false, "{ read line; " + isola("run", "--", "/bin/cat") + "; } < " + in + " >> " + out);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(out)).isEqualTo("kept\nsecond\nthird\n");
    }

    @Test
    void aLimitIsExplainedInTheSameWords() throws Exception {
        String hog = isola("run", "--", "/usr/bin/perl", "-e", "$x = 'a' x 1_000_000_000");
        Result quick = sh(false, hog);
        assertThat(quick.code()).isEqualTo(137);
        assertThat(quick.err()).contains("reached its memory limit (512M)", "raise it with --memory");
        Result jvm = sh(true, hog);
        assertThat(jvm.code()).isEqualTo(137);
        assertThat(quick.masked()).isEqualTo(jvm.masked()); // the same line but for the cell's name
    }

    @Test
    void openTrustPsAndKillSayWhatTheJvmClientSays() throws Exception {
        Path dir = Files.createDirectories(d.dir.resolve("docs/sub"));
        Files.writeString(dir.resolve("../doc.txt"), "a line\n");
        // a safe view made by the one is not found again by the other ("already the safe view")
        String inDocs = "cd " + dir.getParent() + " && rm -f doc.safe.pdf && ";
        for (String command : List.of(
                isola("open", "sub/../doc.txt"),
                isola("open", "--view", "./doc.txt"),
                isola("open", "missing.pdf"),
                isola("trust", "explain", "sub//../doc.txt/"),
                isola("trust", "explain", "--json", "doc.txt"),
                isola("trust", "explain", "https://example.com/a.pdf"),
                isola("ps"),
                isola("ps", "--json"),
                isola("kill", "no-such-cell"))) {
            Result quick = sh(false, inDocs + command);
            assertThat(quick.masked())
                    .as(command)
                    .isEqualTo(sh(true, inDocs + command).masked());
            assertThat(quick.out() + quick.err()).as(command).isNotBlank(); // each says something
        }
    }

    @Test
    void theCallerIsWhoTheKernelSaysThroughThisClientToo() throws Exception {
        // the request names no user: the daemon takes uid 1000 from the connection, so the cell acts as them, and a
        // root-only file tells them nothing
        Path secret = Files.writeString(
                Files.createDirectories(d.dir.resolve("root-only")).resolve("secret"), "s");
        Files.setPosixFilePermissions(
                secret.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        String asUser = "setpriv --reuid=1000 --regid=1000 --clear-groups ";
        Result ran = sh(false, "cd / && " + asUser + isola("run", "--", "/usr/bin/id", "-u"));
        assertThat(ran).isEqualTo(new Result(0, "1000\n", ""));
        Result refused = sh(false, "cd / && " + asUser + isola("trust", "explain", secret.toString()));
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("may not read " + secret);
        assertThat(refused.out()).isEmpty();
    }

    @Test
    void ctrlCKillsTheCellAndTheCommandExits130() throws Exception {
        String marker = "isola-quick-int-" + System.nanoTime();
        Process client = sleeper(marker);
        DaemonCliTest.waitUntil(() -> Cleanup.processesWith(marker + " 600") == 1);
        new ProcessBuilder("kill", "-INT", Long.toString(client.pid())).start().waitFor();
        assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitValue()).isEqualTo(130);
        DaemonCliTest.waitUntil(() -> Cleanup.processesWith(marker) == 0);
    }

    @Test
    void aKilledCommandTakesItsCellAlong() throws Exception {
        String marker = "isola-quick-kill-" + System.nanoTime();
        Process client = sleeper(marker);
        DaemonCliTest.waitUntil(() -> Cleanup.processesWith(marker + " 600") == 1);
        client.destroyForcibly(); // SIGKILL: the daemon sees the connection close
        client.waitFor();
        DaemonCliTest.waitUntil(() -> Cleanup.processesWith(marker) == 0);
        assertThat(d.run("ps").out()).doesNotContain(marker);
    }

    @Test
    void withNoServiceBehindTheSocketTheCommandRunsInProcess() throws Exception {
        // a socket file that nothing listens on (a daemon that died): the JVM runs the task itself
        Path stale = d.dir.resolve("stale.sock");
        try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(java.net.UnixDomainSocketAddress.of(stale));
        }
        Path state = Files.createDirectories(d.dir.resolve("in-process-state"));
        Result r = run(
                Map.of("ISOLA_SOCKET", stale.toString(), "ISOLA_STATE_DIR", state.toString()),
                "/bin/sh",
                "-c",
                isola("run", "--", "/bin/echo", "here"));
        assertThat(r).isEqualTo(new Result(0, "here\n", ""));
        assertThat(Files.readString(state.resolve("audit.jsonl"))).contains("cell.created");
    }

    record Result(int code, String out, String err) {
        /** The same but for the names of cells, which are new each time. */
        Result masked() {
            return new Result(
                    code, out.replaceAll("cell [0-9a-f]+", "cell C"), err.replaceAll("cell [0-9a-f]+", "cell C"));
        }
    }

    /** {@code command} in sh, through the launcher's route without a JVM or ({@code jvm}) through the JVM client. */
    private static Result sh(boolean jvm, String command) throws Exception {
        return run(jvm ? Map.of("ISOLA_NO_QUICK", "1") : Map.of(), "/bin/sh", "-c", command);
    }

    private static Result run(Map<String, String> env, String... command) throws Exception {
        Path out = Files.createTempFile(d.dir, "out", ""), err = Files.createTempFile(d.dir, "err", "");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        clientEnvironment(pb);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " hung");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The daemon's socket, and no desktop session: a plain open then never shows a window. */
    private static void clientEnvironment(ProcessBuilder pb) {
        pb.environment().keySet().removeAll(List.of("DISPLAY", "WAYLAND_DISPLAY", "ISOLA_TRACE", "ISOLA_STATE_DIR"));
        pb.environment().putAll(d.env());
    }

    private static Process sleeper(String marker) throws Exception {
        ProcessBuilder pb = Cli.asFromATerminal(new ProcessBuilder(
                        LAUNCHER.toString(), "run", "--", "/bin/bash", "-c", "exec -a " + marker + " sleep 600"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        clientEnvironment(pb);
        return pb.start();
    }

    /** The launcher and its arguments, quoted for sh. */
    private static String isola(String... args) {
        List<String> words = new ArrayList<>(List.of(LAUNCHER.toString()));
        words.addAll(List.of(args));
        return String.join(
                " ",
                words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList());
    }
}
