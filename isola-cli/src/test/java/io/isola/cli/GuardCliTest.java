package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.linux.Libc;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code isola guard} as a person runs it: in the foreground, read by status and trust explain, stopped by SIGTERM. */
@Tag("kernel")
class GuardCliTest {
    @TempDir
    Path tmp;

    @Test
    void guardDeniesHostProgramsWhileIsolaItselfStillReadsTheOriginal() throws Exception {
        Path place = Files.createDirectories(tmp.resolve("place"));
        Cli cli = new Cli(Files.createDirectories(tmp.resolve("state")));
        Libc.mount("tmpfs", place.toString(), "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV, "size=16m");
        Process guard = null;
        try {
            Path evil = place.resolve("evil.txt");
            Files.writeString(evil, "hostile text");
            Files.getFileAttributeView(evil, UserDefinedFileAttributeView.class)
                    .write("xdg.origin.url", ByteBuffer.wrap("https://evil.example/".getBytes(StandardCharsets.UTF_8)));
            guard = cli.builder(Map.of(), "guard", "--path", place.toString())
                    .redirectErrorStream(true)
                    .start();
            String first = new String(guard.getInputStream().readNBytes(16), StandardCharsets.UTF_8);
            assertThat(first).isEqualTo("isola: guarding ");

            Process cat = new ProcessBuilder("cat", evil.toString())
                    .redirectErrorStream(true)
                    .start();
            assertThat(new String(cat.getInputStream().readAllBytes())).contains("Operation not permitted");
            Cli.Result explain = cli.run("trust", "explain", evil.toString()); // Isola itself reads it
            assertThat(explain.code()).as(explain.err()).isEqualTo(1);
            assertThat(explain.out()).contains("type: text/plain").contains("  guard: would deny host programs");
            Thread.sleep(1500); // the guard writes its status every second
            Cli.Result status = cli.run("guard", "status");
            assertThat(status.code()).as(status.out() + status.err()).isZero();
            assertThat(status.out())
                    .contains("guard: running, pid " + guard.pid())
                    .contains("watching: " + place)
                    .contains("denied: 1");

            guard.destroy(); // SIGTERM
            assertThat(guard.waitFor(20, TimeUnit.SECONDS)).isTrue();
            Process after = new ProcessBuilder("cat", evil.toString()).start();
            assertThat(new String(after.getInputStream().readAllBytes())).isEqualTo("hostile text");
            assertThat(cli.run("guard", "status").out()).contains("not running");
        } finally {
            if (guard != null) {
                guard.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
            Libc.umount2(place.toString(), Libc.MNT_DETACH);
        }
    }

    /**
     * Isola's own tasks on a guarded file: {@code isola open} runs the handler (cat) in a real cell on its copy, and
     * {@code open --view} makes the safe view beside it, which host programs then open; the original stays refused
     * to them. Isola run without root is a host program like any other, and says so.
     */
    @Test
    void isolaOpenAndItsSafeViewWorkOnAGuardedFileThatHostProgramsAreRefused() throws Exception {
        Path place = Files.createDirectories(tmp.resolve("place"));
        Cli cli = new Cli(Files.createDirectories(tmp.resolve("state")));
        Map<String, String> env = Map.of("ISOLA_POLICY", TaskCliTest.EXAMPLE.toString());
        Libc.chmod(tmp.toString(), 0755);
        Libc.mount("tmpfs", place.toString(), "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV, "size=16m,mode=0755");
        Process guard = null;
        try {
            Path evil = place.resolve("evil.txt");
            Files.writeString(evil, "hostile text\n");
            Files.getFileAttributeView(evil, UserDefinedFileAttributeView.class)
                    .write("xdg.origin.url", ByteBuffer.wrap("https://evil.example/".getBytes(StandardCharsets.UTF_8)));
            guard = cli.builder(env, "guard", "--path", place.toString())
                    .redirectErrorStream(true)
                    .start();
            assertThat(new String(guard.getInputStream().readNBytes(16), StandardCharsets.UTF_8))
                    .isEqualTo("isola: guarding ");
            assertThat(hostCat(evil)).contains("Operation not permitted");

            Cli.Result open = cli.run(env, null, "open", evil.toString());
            assertThat(open.code()).as(open.err()).isZero();
            assertThat(open.out()).isEqualTo("hostile text\n");

            Cli.Result view = cli.run(env, null, "open", "--view", evil.toString());
            assertThat(view.code()).as(view.err()).isZero();
            Path safe = place.resolve("evil.safe.pdf");
            assertThat(hostCat(safe)).startsWith("%PDF"); // sealed by Isola: host programs open it
            assertThat(hostCat(evil)).contains("Operation not permitted");

            Cli.Result asUser = unprivileged("trust", "explain", evil.toString());
            assertThat(asUser.code()).as(asUser.out() + asUser.err()).isEqualTo(125);
            assertThat(asUser.err().strip())
                    .doesNotContain("\n")
                    .doesNotContain("internal error")
                    .contains(
                            "refused to open " + evil,
                            "isola guard keeps untrusted files closed to host programs",
                            "Isola run without root",
                            "run sudo isola trust explain " + evil);
        } finally {
            if (guard != null) {
                guard.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
            Libc.umount2(place.toString(), Libc.MNT_DETACH);
        }
    }

    private static String hostCat(Path f) throws Exception {
        Process cat = new ProcessBuilder("cat", f.toString())
                .redirectErrorStream(true)
                .start();
        return new String(cat.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    /** Isola run by an ordinary user (nobody), from a copy of the class path that user can read. */
    private Cli.Result unprivileged(String... args) throws Exception {
        Path cp = Files.createDirectories(tmp.resolve("cp"));
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(":")) {
            Path from = Path.of(e);
            if (Files.isRegularFile(from)) { // a jar of ~/.m2, which only root reads
                Path to = cp.resolve(entries.size() + "-" + from.getFileName());
                Files.copy(from, to);
                Libc.chmod(to.toString(), 0644);
                entries.add(to.toString());
            } else {
                entries.add(e);
            }
        }
        Libc.chmod(cp.toString(), 0755);
        Path state = Files.createDirectories(tmp.resolve("nobody-state"));
        Libc.chown(state.toString(), 65534, 65534);
        List<String> cmd = new ArrayList<>(List.of(
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                String.join(":", entries),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("ISOLA_STATE_DIR", state.toString());
        pb.environment().put("ISOLA_POLICY", TaskCliTest.EXAMPLE.toString());
        pb.environment().put("HOME", state.toString());
        Path out = tmp.resolve("nobody.out"), err = tmp.resolve("nobody.err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Cli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void aGuardWithNothingToWatchSaysWhatToAdd() {
        Cli.Result r = new Cli(tmp).run("guard");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip())
                .startsWith("isola: nothing to guard: add [guard] paths")
                .doesNotContain("\n");
    }
}
