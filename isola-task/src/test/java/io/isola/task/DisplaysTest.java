package io.isola.task;

import static io.isola.task.WindowTaskTest.processesNaming;
import static io.isola.task.WindowTaskTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Cell;
import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.Stdio;
import io.isola.display.CellDisplay;
import io.isola.display.WindowSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Displays started ahead, as the service keeps them: real display cells (Xvfb and the input reader) on a real sandbox
 * engine, and real X programs (xprop, xdpyinfo) in cells of their own on them. No host window is needed: what counts
 * is what a program finds on the X server it was given, and what is left once it is over.
 */
class DisplaysTest {
    private static final WindowSize SMALL = WindowSize.fixed(640, 480);
    private TaskHarness h;

    @BeforeEach
    void start() {
        h = new TaskHarness();
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
        // no X server of a cell outlives the cells (their command lines name the screen folder)
        waitUntil(() -> processesNaming(CellDisplay.CELL_DIR) == 0, 10, null);
    }

    @Test
    void aPreparedDisplayIsNeverHandedToASecondProgram() throws Exception {
        try (Displays displays = Displays.preparedAhead(() -> h.engine)) {
            try (DisplayCell d = displays.take(h.engine, SMALL)) {
                assertThat(markedBefore(d))
                        .as("the first program's X server is new")
                        .containsPattern(NO_MARK);
            }
            waitUntil(() -> displays.prepared() == Displays.KEEP, 20, null);
            // two windows at once, each on a prepared display of its own: each program marks its X server, and
            // neither finds the mark of one before
            try (DisplayCell second = displays.take(h.engine, SMALL);
                    DisplayCell third = displays.take(h.engine, SMALL)) {
                assertThat(displays.prepared())
                        .as("the prepared displays were the ones taken")
                        .isZero();
                assertThat(markedBefore(second)).as("not the first's").containsPattern(NO_MARK);
                assertThat(markedBefore(third))
                        .as("not the first's nor the second's")
                        .containsPattern(NO_MARK);
                assertThat(onDisplay(third, "xdpyinfo | grep dimensions")).contains("640x480 pixels");
            }
            waitUntil(() -> displays.prepared() == Displays.KEEP, 20, null);
            // each X server starts in its cell after the cell is up: counted once they all run
            waitUntil(() -> xServerCount("640x480x24") >= Displays.KEEP, 20, null);
            assertThat(xServerCount("640x480x24"))
                    .as("no more are kept than KEEP")
                    .isEqualTo(Displays.KEEP);
        }
    }

    private static final String NO_MARK = "ISOLA_MARK:  (no such atom on any window|not found)";

    /** What a program finds of the mark on the X server of {@code d}, before it leaves its own there. */
    private String markedBefore(DisplayCell d) throws Exception {
        return onDisplay(d, "xprop -root ISOLA_MARK; xprop -root -f ISOLA_MARK 8s -set ISOLA_MARK left-by-a-program");
    }

    @Test
    void aPreparedDisplayOfAnotherSizeOrWhoseXServerDiedIsEndedAndANewOneStarted() throws Exception {
        try (Displays displays = Displays.preparedAhead(() -> h.engine)) {
            displays.take(h.engine, SMALL).close();
            waitUntil(() -> displays.prepared() > 0, 20, null);
            WindowSize larger = WindowSize.fixed(800, 600);
            try (DisplayCell d = displays.take(h.engine, larger)) {
                assertThat(onDisplay(d, "xdpyinfo | grep dimensions")).contains("800x600 pixels");
            }
            waitUntil(() -> displays.prepared() > 0, 20, null);
            // its X server dies while it waits (a crash, or the OOM killer): the cell goes with it
            // (again while its cell runs: the first kill may come before its X server, or hit the last display's)
            boolean[] killed = {false};
            waitUntil(() -> (killed[0] |= killPreparedXServer()) && processesGone("800x600x24"), 20, null);
            try (DisplayCell d = displays.take(h.engine, larger)) {
                assertThat(onDisplay(d, "xdpyinfo | grep dimensions")).contains("800x600 pixels");
            }
        }
    }

    /**
     * The session's agent asks at login: a display of its desktop's size, before any window; asked again for the same
     * size, the same display stays; for another size, it is replaced. A command's own displays prepare nothing.
     */
    @Test
    void aDisplayPreparedOnRequestIsTheFirstWindowsAndOneOfAnotherSizeReplacesIt() throws Exception {
        try (Displays displays = Displays.preparedAhead(() -> h.engine)) {
            displays.prepare(WindowPlace.Size.of(SMALL));
            assertThat(displays.prepared()).isEqualTo(Displays.KEEP);
            // the cells run: their X servers start in them, the last one a little after prepare() returned
            waitUntil(() -> xServerCount("640x480x24") == Displays.KEEP, 20, null);
            long first = xServers("640x480x24");
            displays.prepare(WindowPlace.Size.of(SMALL));
            assertThat(xServers("640x480x24")).as("the same display stays").isEqualTo(first);
            displays.prepare(WindowPlace.Size.of(WindowSize.fixed(800, 600)));
            assertThat(processesGone("640x480x24"))
                    .as("the display of the old size ended")
                    .isTrue();
            try (DisplayCell d = displays.take(h.engine, WindowSize.fixed(800, 600))) {
                assertThat(displays.prepared())
                        .as("a prepared display was the one taken")
                        .isEqualTo(Displays.KEEP - 1);
                assertThat(onDisplay(d, "xdpyinfo | grep dimensions")).contains("800x600 pixels");
            }
        }
        try (Displays atOnce = Displays.atOnce()) {
            atOnce.prepare(WindowPlace.Size.of(SMALL));
            assertThat(atOnce.prepared()).isZero();
            assertThat(processesGone("640x480x24")).isTrue();
        }
    }

    /** How many X servers of cells whose screen is {@code geometry} run. */
    private static long xServerCount(String geometry) {
        return WindowTaskTest.pidsWhoseCommand(cmdline -> cmdline.startsWith("Xvfb") && cmdline.contains(geometry))
                .length;
    }

    /** The pid of the newest X server of a cell whose screen is {@code geometry}, or 0. */
    private static long xServers(String geometry) {
        return java.util.Arrays.stream(WindowTaskTest.pidsWhoseCommand(
                        cmdline -> cmdline.startsWith("Xvfb") && cmdline.contains(geometry)))
                .max()
                .orElse(0);
    }

    @Test
    void closingTheServicesDisplaysEndsThePreparedOne() throws Exception {
        Displays displays = Displays.preparedAhead(() -> h.engine);
        displays.take(h.engine, SMALL).close();
        waitUntil(() -> displays.prepared() > 0, 20, null);
        assertThat(processesNaming(CellDisplay.CELL_DIR)).isPositive();
        displays.close();
        waitUntil(() -> processesNaming(CellDisplay.CELL_DIR) == 0, 10, null);
    }

    /** Kills the X server of the prepared 800×600 display, once it runs; whether it did. */
    private static boolean killPreparedXServer() {
        try {
            return new ProcessBuilder("pkill", "-f", "^Xvfb :0 .*800x600x24")
                            .start()
                            .waitFor()
                    == 0;
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether no process names {@code marker} within 2 s. */
    private static boolean processesGone(String marker) {
        try {
            waitUntil(() -> processesNaming(marker) == 0, 2, null);
            return true;
        } catch (AssertionError | InterruptedException e) {
            return false;
        }
    }

    /** Runs {@code script} as a program on {@code d}, in a cell of its own; what it printed. */
    private String onDisplay(DisplayCell d, String script) throws Exception {
        CellSpec spec = new CellSpec(
                "sandbox",
                "host",
                List.of("/bin/sh", "-c", script),
                CellEnvironment.build(Map.of(), List.of()),
                List.of(),
                null,
                Network.NONE,
                Limits.DEFAULT);
        Path out = Files.createTempFile(h.state, "program", ".out");
        try (Cell c = h.engine.start(d.program(spec), d.stdio(Stdio.files(null, out, out)))) {
            d.started();
            assertThat(c.waitFor().exitCode()).as(() -> read(out)).isZero();
        }
        return read(out);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
