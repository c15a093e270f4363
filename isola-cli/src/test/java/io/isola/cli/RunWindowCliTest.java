package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code isola run --window -- CMD}, the real command line on an Xvfb of the test's own standing in for the desktop:
 * the program's window appears in an Isola window marked untrusted, closing it ends the cell with exit code 0, and
 * where no window can be drawn the command says so in one line.
 */
@Tag("kernel")
class RunWindowCliTest {
    static Path state, work;
    static Cli cli;
    static Process xvfb;
    static String display;

    @BeforeAll
    static void setUp() throws Exception {
        state = Files.createTempDirectory("isola-run-window-state");
        work = Files.createTempDirectory("isola-run-window");
        cli = new Cli(state);
        // as the desktop session starts its own: the display is used once its socket exists (a CI run took an Xvfb
        // still starting after 5 s, and the first window test found no display), and never resets (see DesktopSession)
        int n = DesktopSession.freeDisplay();
        xvfb = new ProcessBuilder("Xvfb", ":" + n, "-screen", "0", "1600x1000x24", "-nolisten", "tcp", "-noreset")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true)
                .start();
        DesktopSession.waitFor(Path.of("/tmp/.X11-unix/X" + n), xvfb);
        display = ":" + n;
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (xvfb != null) {
            xvfb.destroy();
            xvfb.waitFor(5, TimeUnit.SECONDS);
        }
        Cleanup.deleteTree(state);
        Cleanup.deleteTree(work);
    }

    @Test
    void runWindowShowsTheProgramMarkedUntrustedAndClosingTheWindowEndsTheCellWithZero() throws Exception {
        showsTheProgramAndClosingEndsTheCell(cli);
    }

    /** The same in a VM ({@code --engine vm}), with the VM state the isola-vm tests made (as {@code VmCliTest}). */
    @Test
    @Tag("qemu")
    void runWindowInAVmShowsTheProgramAndClosingTheWindowEndsTheCellWithZero() throws Exception {
        Cli vm = new Cli(
                Path.of("../isola-vm/target/vm-test-state").toAbsolutePath().normalize());
        Cli.Result built = vm.run("image", "build"); // this build's image (its version may be newer than the state's)
        assertThat(built.code()).as(built.err()).isZero();
        showsTheProgramAndClosingEndsTheCell(vm, "--engine", "vm");
    }

    private void showsTheProgramAndClosingEndsTheCell(Cli cli, String... engine) throws Exception {
        Path out = work.resolve("out"), err = work.resolve("err");
        List<String> args = new java.util.ArrayList<>(List.of("run", "--window"));
        args.addAll(List.of(engine));
        args.addAll(List.of(
                "--", "/bin/sh", "-c", "echo \"cell screen: $(xdotool getdisplaygeometry)\"; xedit; echo xedit-ended"));
        Process p = cli.builder(Map.of("DISPLAY", display), args.toArray(String[]::new))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        try {
            theWindowShows(err);
            for (int i = 0; i < 100 && !read(out).contains("cell screen:"); i++) {
                Thread.sleep(100);
            }
            // the cell's screen is the desktop's: the window can grow to all of it
            assertThat(read(out)).contains("cell screen: 1600 1000");
            Thread.sleep(1000); // xedit maps its window
            xdotool("mousemove", "300", "300", "click", "1");
            Thread.sleep(300);
            xdotool("key", "--clearmodifiers", "ctrl+shift+w");
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(() -> read(err)).isTrue();
            assertThat(p.exitValue()).as(() -> read(err)).isZero();
            assertThat(read(out)).doesNotContain("xedit-ended"); // the cell was killed, xedit with it
            assertThat(read(err)).doesNotContain("Exception", "\tat ");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** SIGTERM while the window shows: the cell goes with the command, which says nothing of an internal error. */
    @Test
    void aSigtermWhileTheWindowShowsEndsItQuietlyWith143() throws Exception {
        Path err = work.resolve("term-err");
        Process p = cli.builder(Map.of("DISPLAY", display), "run", "--window", "--", "/bin/sh", "-c", "sleep 600")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile())
                .start();
        try {
            theWindowShows(err);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(143);
            assertThat(read(err)).doesNotContain("internal error", "Exception");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void whereNoWindowCanBeDrawnRunWindowSaysSoInOneLine() {
        Cli.Result none = cli.run(Map.of("DISPLAY", ""), null, "run", "--window", "--", "xedit");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err().strip())
                .isEqualTo("isola: a window needs your desktop's display: run it in your desktop session (DISPLAY is"
                        + " not set)");
    }

    /** Waits up to 30 s for the window of {@code isola run --window -- /bin/sh ...}; {@code err} is its stderr. */
    private static void theWindowShows(Path err) throws Exception {
        String id = "";
        for (int i = 0; i < 300 && id.isEmpty(); i++) {
            Thread.sleep(100);
            id = xdotool("search", "--name", "^\\[untrusted\\] sh \\(isola run\\) — Isola cell$")
                    .strip();
        }
        assertThat(id).as(() -> "the window: " + read(err)).isNotEmpty();
    }

    private static String xdotool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("xdotool"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DISPLAY", display);
        Process x = pb.start();
        String text = new String(x.getInputStream().readAllBytes());
        x.waitFor();
        return text;
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
