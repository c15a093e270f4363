package io.isola.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.display.WindowLook;
import io.isola.display.WindowSize;
import io.isola.display.WindowsOnScreen;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        pdfShowsItsFirstPageAndClosingLeavesNothing("");
    }

    /**
     * The same in a VM: Xvfb and mupdf run in the guest, whose agent mirrors the screen folder into the host's, and
     * the host's window is the same, pixel for pixel. Closing the window takes the whole VM down.
     */
    @Test
    void aPdfOpenedInAVmCellShowsItsFirstPageAsMupdfDrawsItAndClosingTheWindowLeavesNothing() throws Exception {
        vmEngineReady();
        pdfShowsItsFirstPageAndClosingLeavesNothing("[level.untrusted]\nengine = \"vm\"\n");
    }

    private void pdfShowsItsFirstPageAndClosingLeavesNothing(String levelSettings) throws Exception {
        String name = "report-" + System.nanoTime() + ".pdf";
        Path pdf = Files.copy(Path.of("../examples/invoice.pdf").toAbsolutePath(), work.resolve(name));
        Path policy = Files.writeString(work.resolve("policy.toml"), "version = 1\n" + levelSettings);
        Path log = work.resolve("log");
        Process p = host.java(log, WindowTaskMain.class.getName(), "open", policy.toString(), pdf.toString());
        try {
            int[] expected = mupdfDirectly(pdf);
            // The cell's screen has the host screen's size, and the window shows its top-left 1280×720: that part
            // of the page as mupdf draws it on a screen of the host's size is what the host shows, inside the
            // border, pixel for pixel.
            // The pointer where mupdf run directly has it (the middle of its screen). Both X servers draw it into
            // their screens, blended a little differently: the 40×40 pixels under it are left out of the comparison
            if (!levelSettings.isEmpty()) {
                // the window opens as the cell starts and says so: a VM's display takes seconds under emulation
                waitUntil(this::startingWindowOnScreen, 30, log);
            }
            waitUntil(() -> borderOnScreen() != null, 30, log);
            List<Long> vms = qemuChildrenOf(p.pid());
            int[] at = borderOnScreen();
            host.xdotool(
                    "mousemove",
                    "" + (at[0] + WindowLook.BORDER + HostDisplay.WIDTH / 2),
                    "" + (at[1] + WindowLook.BORDER + HostDisplay.HEIGHT / 2));
            long[] least = {Long.MAX_VALUE};
            try {
                waitUntil(() -> (least[0] = Math.min(least[0], differingPixels(expected))) == 0, 30, log);
            } catch (AssertionError e) {
                dump(host.screen(), HostDisplay.WIDTH, HostDisplay.HEIGHT, "target/window-host.ppm");
                dump(expected, HostDisplay.WIDTH, HostDisplay.HEIGHT, "target/window-expected.ppm");
                throw new AssertionError(least[0] + " pixels differ at best (target/window-*.ppm): " + read(log), e);
            }

            host.xdotool("key", "--clearmodifiers", "ctrl+shift+w");
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as(() -> read(log)).isTrue();
            assertThat(read(log))
                    .contains("is application/pdf, untrusted", "code=0")
                    .doesNotContain("window was closed:");
            // nothing of the cell remains: its processes (their command lines name the file), its mounts
            waitUntil(() -> processesNaming(name) == 0, 10, log);
            // and its display's (in a cell of its own in the sandbox engine: Xvfb and the input reader)
            waitUntil(() -> processesNaming(io.isola.display.CellDisplay.CELL_DIR) == 0, 10, log);
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(name);
            assertThat(borderOnScreen()).isNull();
            // and in a VM, its QEMU
            waitUntil(() -> vms.stream().noneMatch(pid -> Files.exists(Path.of("/proc/" + pid))), 10, log);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void keysTypedIntoTheWindowReachTheEditorInTheCellAndWhatItSavesIsQuarantined() throws Exception {
        keysReachTheEditorAndWhatItSavesIsQuarantined("", false);
    }

    /**
     * The same in a VM: the keys go down the agent's channel, the saved file comes out in the VM's harvest. Here the
     * user closes the window instead of quitting the editor: closing kills the task, not what it saved.
     */
    @Test
    void keysTypedIntoTheWindowReachTheEditorInAVmCellAndWhatItSavesIsQuarantined() throws Exception {
        vmEngineReady();
        keysReachTheEditorAndWhatItSavesIsQuarantined("engine = \"vm\"\n", true);
    }

    private void keysReachTheEditorAndWhatItSavesIsQuarantined(String levelSettings, boolean closeTheWindow)
            throws Exception {
        Path txt = Files.writeString(work.resolve("notes-" + System.nanoTime() + ".txt"), "first line\n");
        Path policy = Files.writeString(
                work.resolve("policy.toml"),
                "version = 1\n[level.untrusted]\npersistence = \"quarantine\"\n" + levelSettings);
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
            if (closeTheWindow) {
                host.xdotool("key", "--clearmodifiers", "ctrl+shift+w");
            } else {
                host.xdotool("mousemove", "" + (x0 + 14), "" + (y0 + 9), "click", "1");
            }
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(() -> read(log)).isTrue();
            assertThat(read(log))
                    .contains("code=0")
                    .doesNotContain("nothing was harvested")
                    .containsPattern("kept-file notes-[0-9]+\\.txt: first line.*hello cell");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /**
     * An office document opens in LibreOffice in its cell (the built-in policy's window handler for office types):
     * its page, white with the document's black text, in Isola's window, titled with the level, the program and the
     * file; closing the window ends LibreOffice and its cell.
     */
    @Test
    void anOfficeDocumentOpensInLibreOfficeInAWindowAndClosingItLeavesNothing() throws Exception {
        String stem = "memo-" + System.nanoTime();
        Path docx = TestDocuments.convert(work, stem, "fodt", TestDocuments.text(""), "docx")
                .getFirst();
        Path policy = Files.writeString(work.resolve("policy.toml"), "version = 1\n");
        Path log = work.resolve("log");
        Process p = host.java(log, WindowTaskMain.class.getName(), "open", policy.toString(), docx.toString());
        try {
            waitUntil(() -> borderOnScreen() != null, 60, log);
            // LibreOffice's first start in a new cell makes its profile: seconds, not milliseconds
            waitUntil(() -> pageWithText(screen(), borderOnScreen()), 120, log);
            assertThat(host.xdotool("search", "--name", "^\\[untrusted\\] soffice: " + stem + "\\.docx"))
                    .as(() -> read(log))
                    .isNotBlank();
            int[] at = borderOnScreen();
            host.xdotool("mousemove", "" + (at[0] + 200), "" + (at[1] + 300), "click", "1");
            host.xdotool("key", "--clearmodifiers", "ctrl+shift+w");
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(() -> read(log)).isTrue();
            assertThat(read(log))
                    .contains(
                            "is application/vnd.openxmlformats-officedocument.wordprocessingml.document, untrusted",
                            "code=0");
            waitUntil(() -> processesNaming(stem) == 0, 10, log);
            waitUntil(() -> processesNaming("soffice.bin") == 0, 10, log);
            waitUntil(() -> processesNaming(io.isola.display.CellDisplay.CELL_DIR) == 0, 10, log);
            assertThat(borderOnScreen()).isNull();
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /**
     * Whether the window whose border is at {@code at} shows a document's page: a large white area (LibreOffice's page
     * is white, its frame and bars grey) with text in it, dark pixels with white on both sides.
     */
    private static boolean pageWithText(int[] px, int[] at) {
        if (at == null) {
            return false;
        }
        long white = 0, text = 0;
        int w = HostDisplay.WIDTH, left = at[0] + WindowLook.BORDER, top = at[1] + WindowLook.BORDER;
        for (int y = top; y < Math.min(top + 720, HostDisplay.HEIGHT); y++) {
            for (int x = left + 4; x < Math.min(left + 1280, w) - 4; x++) {
                int c = px[y * w + x] & 0xffffff;
                if (c == 0xffffff) {
                    white++;
                } else if (((c >> 16) & 0xff) < 80 && ((c >> 8) & 0xff) < 80 && (c & 0xff) < 80) {
                    text += (px[y * w + x - 4] & 0xffffff) == 0xffffff && (px[y * w + x + 4] & 0xffffff) == 0xffffff
                            ? 1
                            : 0;
                }
            }
        }
        return white > 150_000 && text > 50;
    }

    private int[] screen() {
        try {
            return host.screen();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aLinkOpensInTheLevelsBrowserInAWindowThroughTheProxy() throws Exception {
        // the built-in policy's window handler for links (dillo), on the untrusted level's network
        Path policy = Files.writeString(
                work.resolve("policy.toml"), "version = 1\n[level.untrusted]\nnetwork = \"internet\"\n");
        Path log = work.resolve("log");
        Process p = host.java(log, WindowTaskMain.class.getName(), "link", policy.toString(), "/page.txt");
        try {
            waitUntil(() -> read(log).contains("no test hosts") || borderOnScreen() != null, 30, log);
            org.junit.jupiter.api.Assumptions.assumeFalse(
                    read(log).contains("no test hosts"), "needs root and iproute2");
            String title = host.xdotool("search", "--name", "^\\[untrusted\\] dillo: 198\\.51\\.100\\.");
            assertThat(title).as(() -> read(log)).isNotBlank();
            Thread.sleep(2000); // dillo fetches and draws the page
            host.xdotool("mousemove", "300", "300", "click", "1");
            host.xdotool("key", "--clearmodifiers", "ctrl+shift+w");
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(() -> read(log)).isTrue();
            assertThat(read(log))
                    .contains("is untrusted", "host-saw: GET /page.txt HTTP/1.1", "\"connection.allowed\"", "code=0");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** A program in a window that follows the host window's size and reports its state: see {@link #resizable}. */
    private static final String REPORTER = """
            echo "screen: $(xdotool getdisplaygeometry) $(xdpyinfo | grep -o 'resolution: *[0-9]*' | tr -s ' ')"
            xedit &
            last=
            while :; do
              g=$(xdotool search --onlyvisible --class xedit getwindowgeometry 2>/dev/null | grep -o '[0-9]*x[0-9]*$' | head -1)
              m=$(xdotool getmouselocation 2>/dev/null | cut -d' ' -f1,2)
              [ "$g $m" != "$last" ] && echo "state: xedit=$g $m" && last="$g $m"
              sleep 0.2
            done""";

    private Process resizable(Path log, java.util.Map<String, String> env) throws Exception {
        return host.java(log, env, WindowTaskMain.class.getName(), "desktop", "resizer", "/bin/sh", "-c", REPORTER);
    }

    @Test
    void resizingTheHostWindowResizesTheProgramInTheCellAndTheHostShowsThatMuch() throws Exception {
        Path log = work.resolve("log");
        Process p = resizable(log, java.util.Map.of());
        try {
            waitUntil(() -> read(log).contains("state: xedit=") && borderOnScreen() != null, 30, log);
            // the cell's screen is the host screen's size; the window starts at 1280×720 of it, at 96 dpi
            assertThat(read(log))
                    .contains("screen: " + HostDisplay.WIDTH + " " + HostDisplay.HEIGHT + " resolution: 96");
            String id =
                    host.xdotool("search", "--name", "\\[untrusted\\] resizer").strip();
            host.xdotool("windowsize", id, "700", "500");
            // the frame is 700 wide (no window manager here): the cell's part is 700 less the border on each side
            int viewWidth = 700 - 2 * WindowLook.BORDER;
            waitUntil(() -> read(log).contains("state: xedit=" + viewWidth + "x"), 10, log);
            int height =
                    Integer.parseInt(read(log).replaceAll("(?s).*state: xedit=" + viewWidth + "x([0-9]+).*", "$1"));
            assertThat(height).isBetween(400, 500 - 2 * WindowLook.BORDER);
            // the host draws its border right after that part: the window shows exactly what the program fills
            int[] at = borderOnScreen();
            int[] s = host.screen();
            int right = at[0] + WindowLook.BORDER + viewWidth, row = (at[1] + 100) * HostDisplay.WIDTH;
            assertThat(s[row + right]).as("the border right of the cell's part").isEqualTo(RED);
            assertThat(s[row + right + WindowLook.BORDER]).as("past the window").isNotEqualTo(RED);
            host.xdotool("key", "--clearmodifiers", "ctrl+shift+w");
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as(() -> read(log)).isTrue();
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void onAHiDpiDesktopTheCellDrawsOnePixelPerDevicePixelAtTheDesktopsResolution() throws Exception {
        Path log = work.resolve("log");
        // Java takes the desktop's scale from GDK_SCALE on X11, as GTK programs do
        Process p = resizable(log, java.util.Map.of("GDK_SCALE", "2"));
        try {
            waitUntil(() -> read(log).contains("state: xedit=") && borderOnScreen() != null, 30, log);
            // the cell's screen is the host's in device pixels, at twice 96 dpi
            assertThat(read(log))
                    .contains("screen: " + HostDisplay.WIDTH + " " + HostDisplay.HEIGHT + " resolution: 192");
            int[] at = borderOnScreen();
            int[] s = host.screen();
            // the border is 4 logical pixels: 8 device pixels, drawn by the host on every side
            int b = 2 * WindowLook.BORDER, row = (at[1] + 100) * HostDisplay.WIDTH;
            assertThat(s[row + at[0] + b - 1]).isEqualTo(RED);
            assertThat(s[row + at[0] + b]).isNotEqualTo(RED);
            // a point on the host's screen reaches the cell at the same device pixel of its part
            host.xdotool("mousemove", "" + (at[0] + b + 301), "" + (at[1] + b + 201));
            waitUntil(() -> read(log).matches("(?s).*state: xedit=[0-9x]+ x:30[01] y:20[01].*"), 10, log);
            host.xdotool("key", "--clearmodifiers", "ctrl+shift+w");
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as(() -> read(log)).isTrue();
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** The page as mupdf draws it directly on a display of the cell's screen size (the host's). */
    private int[] mupdfDirectly(Path pdf) throws Exception {
        // a display of its own, of the cell's size; its screen file is read like the cell's
        try (HostDisplay ref = HostDisplay.start(HostDisplay.WIDTH, HostDisplay.HEIGHT)) {
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
            int x0 = at[0] + WindowLook.BORDER, y0 = at[1] + WindowLook.BORDER;
            int w = WindowSize.PREFERRED_WIDTH, h = WindowSize.PREFERRED_HEIGHT, stride = HostDisplay.WIDTH;
            long diff = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int sx = x0 + x, sy = y0 + y;
                    int got = sx < HostDisplay.WIDTH && sy < HostDisplay.HEIGHT ? s[sy * HostDisplay.WIDTH + sx] : -1;
                    boolean pointer =
                            Math.abs(x - stride / 2 - 8) <= 20 && Math.abs(y - HostDisplay.HEIGHT / 2 - 8) <= 20;
                    if (got != expected[y * stride + x] && !pointer) {
                        diff++;
                    }
                }
            }
            return diff;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The top-left corner of the host-drawn border on the host's screen, or null when no window shows one with the
     * cell's screen in it yet (the window opens as the cell starts, saying so on {@link WindowLook#STARTING}).
     */
    private int[] borderOnScreen() {
        try {
            return WindowsOnScreen.showingCell(host::screen, HostDisplay.WIDTH, "untrusted");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether a window is on the host's screen that still says its cell is starting. */
    private boolean startingWindowOnScreen() {
        try {
            return WindowsOnScreen.starting(WindowsOnScreen.anyBorder(host.screen(), HostDisplay.WIDTH, "untrusted"));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The vm engine's image and golden snapshot, made in this JVM before the window's JVM needs them, so that its
     * first window is not the one to wait for the image's build.
     */
    private static void vmEngineReady() throws Exception {
        try (TaskHarness h = new TaskHarness()) {
            NetEngines.engine("vm", h);
        }
    }

    /** The QEMU processes {@code pid} started: a VM cell's, where there is one. */
    static List<Long> qemuChildrenOf(long pid) {
        return ProcessHandle.of(pid).stream()
                .flatMap(ProcessHandle::descendants)
                .filter(c -> c.info().command().orElse("").endsWith("qemu-system-x86_64"))
                .map(ProcessHandle::pid)
                .toList();
    }

    static long processesNaming(String marker) {
        return pidsWhoseCommand(cmdline -> cmdline.contains(marker)).length;
    }

    /** The processes whose command line ({@code /proc/PID/cmdline}: arguments apart by NULs) matches. */
    static long[] pidsWhoseCommand(java.util.function.Predicate<String> cmdline) {
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> {
                        try {
                            return cmdline.test(new String(Files.readAllBytes(p.resolve("cmdline"))));
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .mapToLong(p -> Long.parseLong(p.getFileName().toString()))
                    .toArray();
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
