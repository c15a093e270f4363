package io.isola.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.display.WindowLook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code isola open --window}: real programs (mupdf, xedit) in real sandbox cells, each on its own Xvfb, shown in
 * Isola's window on a host display of the test's own, driven by xdotool there as a user would.
 */
@Tag("kernel")
class WindowTaskTest {
    static final int RED = new WindowLook("untrusted", "").border().getRGB() & 0xffffff;
    HostDisplay host;
    Path work;

    @BeforeEach
    void display() throws Exception {
        host = HostDisplay.start();
        work = TaskHarness.folder("window");
    }

    @AfterEach
    void stop() throws Exception {
        host.close();
    }

    @Test
    void aPdfOpenedInACellShowsItsFirstPageAsMupdfDrawsItAndClosingTheWindowLeavesNothing() throws Exception {
        String name = "report-" + System.nanoTime() + ".pdf";
        Path pdf = Files.copy(Path.of("../examples/invoice.pdf").toAbsolutePath(), work.resolve(name));
        Path policy = Files.writeString(work.resolve("policy.toml"), "version = 1\n");
        Path log = work.resolve("log");
        Process p = host.java(log, WindowTaskMain.class.getName(), "open", policy.toString(), pdf.toString());
        try {
            int[] expected = mupdfDirectly(pdf);
            // The page as mupdf draws it on a screen of the cell's size is what the host's screen shows, inside
            // the border, pixel for pixel.
            // The pointer where mupdf run directly has it (the middle of its screen). Both X servers draw it into
            // their screens, blended a little differently: the 40×40 pixels under it are left out of the comparison
            waitUntil(() -> borderOnScreen() != null, 30, log);
            int[] at = borderOnScreen();
            host.xdotool(
                    "mousemove",
                    "" + (at[0] + WindowLook.BORDER + WindowRun.WIDTH / 2),
                    "" + (at[1] + WindowLook.BORDER + WindowRun.HEIGHT / 2));
            long[] least = {Long.MAX_VALUE};
            try {
                waitUntil(() -> (least[0] = Math.min(least[0], differingPixels(expected))) == 0, 30, log);
            } catch (AssertionError e) {
                dump(host.screen(), HostDisplay.WIDTH, HostDisplay.HEIGHT, "target/window-host.ppm");
                dump(expected, WindowRun.WIDTH, WindowRun.HEIGHT, "target/window-expected.ppm");
                throw new AssertionError(least[0] + " pixels differ at best (target/window-*.ppm): " + read(log), e);
            }

            host.xdotool("key", "--clearmodifiers", "ctrl+shift+w");
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as(() -> read(log)).isTrue();
            assertThat(read(log))
                    .contains("is application/pdf, untrusted", "code=0")
                    .doesNotContain("window was closed:");
            // nothing of the cell remains: its processes (their command lines name the file), its mounts
            waitUntil(() -> processesNaming(name) == 0, 10, log);
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(name);
            assertThat(borderOnScreen()).isNull();
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void keysTypedIntoTheWindowReachTheEditorInTheCellAndWhatItSavesIsQuarantined() throws Exception {
        Path txt = Files.writeString(work.resolve("notes-" + System.nanoTime() + ".txt"), "first line\n");
        Path policy = Files.writeString(
                work.resolve("policy.toml"), "version = 1\n[level.untrusted]\npersistence = \"quarantine\"\n");
        Path log = work.resolve("log");
        Process p = host.java(log, WindowTaskMain.class.getName(), "open", policy.toString(), txt.toString());
        try {
            waitUntil(() -> borderOnScreen() != null, 30, log);
            int[] at = borderOnScreen();
            int x0 = at[0] + WindowLook.BORDER, y0 = at[1] + WindowLook.BORDER;
            Thread.sleep(1500); // xedit maps its window after Xvfb shows the first frame
            // the pointer over xedit's text, then keys typed on the host display, then its Save and Quit buttons
            host.xdotool("mousemove", "" + (x0 + 300), "" + (y0 + 300), "click", "1");
            host.xdotool(
                    "key", "--delay", "40", "ctrl+e", "Return", "h", "e", "l", "l", "o", "space", "c", "e", "l", "l");
            Thread.sleep(500);
            host.xdotool("mousemove", "" + (x0 + 49), "" + (y0 + 9), "click", "1");
            Thread.sleep(800);
            host.xdotool("mousemove", "" + (x0 + 14), "" + (y0 + 9), "click", "1");
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(() -> read(log)).isTrue();
            assertThat(read(log))
                    .contains("code=0")
                    .containsPattern("kept-file notes-[0-9]+\\.txt: first line.*hello cell");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** The page as mupdf draws it directly on a display of the cell's screen size. */
    private int[] mupdfDirectly(Path pdf) throws Exception {
        // a display of its own, of the cell's size; its screen file is read like the cell's
        try (HostDisplay ref = HostDisplay.start(WindowRun.WIDTH, WindowRun.HEIGHT)) {
            ProcessBuilder pb = new ProcessBuilder("mupdf", pdf.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectErrorStream(true);
            pb.environment().put("DISPLAY", ref.name);
            Process viewer = pb.start();
            try {
                int[] last = null;
                long stableSince = System.nanoTime();
                for (int i = 0; i < 300; i++) {
                    Thread.sleep(50);
                    int[] now = ref.screen();
                    if (last == null || !java.util.Arrays.equals(now, last)) {
                        last = now;
                        stableSince = System.nanoTime();
                    } else if (System.nanoTime() - stableSince > 1_000_000_000L && hasPage(now)) {
                        return now;
                    }
                }
                throw new AssertionError("mupdf run directly never settled");
            } finally {
                viewer.destroyForcibly().waitFor();
            }
        }
    }

    private static void dump(int[] px, int w, int h, String file) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        out.writeBytes(("P6 " + w + " " + h + " 255\n").getBytes());
        for (int c : px) {
            out.write(c >> 16);
            out.write(c >> 8);
            out.write(c);
        }
        Files.write(Path.of(file), out.toByteArray());
    }

    private static boolean hasPage(int[] px) {
        return java.util.Arrays.stream(px).filter(c -> c == 0xffffff).count() > 10_000;
    }

    /** How many pixels of the cell's screen, as the host shows it, differ from {@code expected}. */
    private long differingPixels(int[] expected) {
        try {
            int[] at = borderOnScreen();
            if (at == null) {
                return Long.MAX_VALUE;
            }
            int[] s = host.screen();
            int x0 = at[0] + WindowLook.BORDER, y0 = at[1] + WindowLook.BORDER, w = WindowRun.WIDTH;
            long diff = 0;
            for (int y = 0; y < WindowRun.HEIGHT; y++) {
                for (int x = 0; x < w; x++) {
                    int sx = x0 + x, sy = y0 + y;
                    int got = sx < HostDisplay.WIDTH && sy < HostDisplay.HEIGHT ? s[sy * HostDisplay.WIDTH + sx] : -1;
                    boolean pointer = Math.abs(x - w / 2 - 8) <= 20 && Math.abs(y - WindowRun.HEIGHT / 2 - 8) <= 20;
                    if (got != expected[y * w + x] && !pointer) {
                        diff++;
                    }
                }
            }
            return diff;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The top-left corner of the host-drawn border on the host's screen, or null when no window shows one. */
    private int[] borderOnScreen() {
        try {
            int[] s = host.screen();
            int b = WindowLook.BORDER;
            for (int i = 0; i < s.length; i++) {
                int x = i % HostDisplay.WIDTH, y = i / HostDisplay.WIDTH;
                if (s[i] == RED
                        && x + b < HostDisplay.WIDTH
                        && y + b < HostDisplay.HEIGHT
                        && s[i + b - 1] == RED
                        && s[i + (b - 1) * HostDisplay.WIDTH] == RED) {
                    return new int[] {x, y};
                }
            }
            return null;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static long processesNaming(String marker) {
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> {
                        try {
                            return new String(Files.readAllBytes(p.resolve("cmdline"))).contains(marker);
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void waitUntil(BooleanSupplier ok, int seconds, Path log) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s" + (log == null ? "" : ": " + read(log)));
            }
            Thread.sleep(100);
        }
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
