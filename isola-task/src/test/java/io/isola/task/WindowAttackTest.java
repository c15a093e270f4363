package io.isola.task;

import static io.isola.task.WindowTaskTest.read;
import static io.isola.task.WindowTaskTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What a program in a windowed cell may try, from inside a real cell: reach the user's display, compositor, bus
 * or sound; wreck its own screen file; flood; read another cell's clipboard. The host's window must hold.
 */
@Tag("kernel")
class WindowAttackTest {
    HostDisplay host;
    Path work;

    @BeforeEach
    void display() throws Exception {
        host = HostDisplay.start();
        work = TaskHarness.folder("window-attack");
    }

    @AfterEach
    void stop() throws Exception {
        host.close();
    }

    Process run(String log, Map<String, String> env, String label, String script) throws Exception {
        return host.java(work.resolve(log), env, WindowTaskMain.class.getName(), "run", label, "/bin/sh", "-c", script);
    }

    @Test
    void theCellFindsNoXSocketWaylandSocketSessionBusOrSoundServerOfTheHost() throws Exception {
        String n = host.name.substring(1);
        Path runtime = Files.createTempDirectory("isola-runtime");
        Files.createFile(runtime.resolve("wayland-0"));
        Map<String, String> session = Map.of(
                "WAYLAND_DISPLAY",
                "wayland-0",
                "XDG_RUNTIME_DIR",
                runtime.toString(),
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=" + runtime + "/bus",
                "PULSE_SERVER",
                "unix:" + runtime + "/pulse/native");
        Process p = run("log", session, "probe", """
                echo "x-sockets: $(ls /tmp/.X11-unix | tr '\\n' ' ')"
                DISPLAY=:%s xdotool getdisplaygeometry >/dev/null 2>&1 && echo "host-x: REACHED" || echo "host-x: none"
                echo "own-x: $(xdotool getdisplaygeometry)"
                env | grep -E '^(WAYLAND|DBUS|PULSE|XAUTHORITY|XDG_RUNTIME)' || echo "session-env: none"
                ls -A /run /run/user %s 2>&1 | tr '\\n' ' '; echo
                """.formatted(n, runtime));
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(read(work.resolve("log")))
                    .contains("x-sockets: X0 ", "host-x: none", "own-x: 640 480", "session-env: none", "code=0")
                    .containsPattern("ls: cannot access '/run/user'")
                    .doesNotContain("REACHED", "wayland-0", "X" + n + " ");
        } finally {
            p.destroyForcibly().waitFor();
            Files.deleteIfExists(runtime.resolve("wayland-0"));
            Files.deleteIfExists(runtime);
        }
    }

    @Test
    void aCellThatTruncatesItsScreenHasItsWindowClosedWithAReasonAndTheHostCarriesOn() throws Exception {
        Process p =
                run("log", Map.of(), "wrecker", "sleep 2; truncate -s 1000 /run/isola-display/Xvfb_screen0; sleep 600");
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(read(work.resolve("log")))
                    .contains("closed: its screen file was truncated (1000 of", "code=137");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aCellThatRewritesItsScreenHeaderHasItsWindowClosed() throws Exception {
        Process p = run(
                "log",
                Map.of(),
                "rewriter",
                "sleep 2; printf '\\377\\377\\377\\377' | dd of=/run/isola-display/Xvfb_screen0 bs=1 seek=16"
                        + " conv=notrunc 2>/dev/null; sleep 600");
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(read(work.resolve("log")))
                    .contains("closed: its screen file's header changed while it was shown", "code=137");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aFloodOfFramesIsSampledAndTheWindowStillClosesAtOnce() throws Exception {
        Process p = run(
                "log",
                Map.of(),
                "flood",
                "sleep 1; while :; do head -c 1228800 /dev/urandom"
                        + " | dd of=/run/isola-display/Xvfb_screen0 bs=4096 seek=1 conv=notrunc 2>/dev/null; done");
        try {
            Thread.sleep(4000);
            host.xdotool("mousemove", "300", "300", "click", "1");
            long t0 = System.nanoTime();
            host.xdotool("key", "--clearmodifiers", "ctrl+shift+w");
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(read(work.resolve("log"))).contains("closed: the window was closed", "code=");
            System.out.printf("flood: window closed %d ms after the key%n", (System.nanoTime() - t0) / 1_000_000);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void eachCellHasAClipboardOfItsOwnThatTextCrossesOnlyByTheWindowsMenu() throws Exception {
        // A: its clipboard holds a secret; the desktop's holds nothing of it until the user copies it out
        Process a = run("a.log", Map.of(), "cell-a", "printf secret-of-a | xclip -i -selection clipboard; sleep 600");
        try {
            waitForWindow("cell-a");
            Thread.sleep(1000);
            assertThat(host.run(null, "xclip", "-o", "-selection", "clipboard")).doesNotContain("secret-of-a");
            menu(0, 1); // Cell → Copy out of the cell
            waitUntil(() -> read(work.resolve("a.log")).contains("isola: copied 11 bytes"), 10, work.resolve("a.log"));
            assertThat(host.run(null, "xclip", "-o", "-selection", "clipboard")).isEqualTo("secret-of-a");
            closeTheOnlyWindow(a);
        } finally {
            a.destroyForcibly().waitFor();
        }
        assertThat(read(work.resolve("a.log")))
                .containsPattern(
                        "\"event\":\"clipboard.copied\",\"cell\":\"c[0-9a-f]+\",\"direction\":\"out\",\"bytes\":11")
                .doesNotContain("\"secret-of-a");

        // B: its own clipboard starts empty, whatever A or the desktop hold, until the user pastes into it
        host.run("from-the-desktop", "xclip", "-i", "-selection", "clipboard", "-loops", "5");
        Path bLog = work.resolve("b.log");
        Process b = run("b.log", Map.of(), "cell-b", """
                last=x
                while :; do
                  now=$(xclip -o -selection clipboard 2>/dev/null)
                  [ "$now" != "$last" ] && echo "b-clipboard:[$now]" && last=$now
                  sleep 0.2
                done""");
        try {
            waitForWindow("cell-b");
            waitUntil(() -> read(bLog).contains("b-clipboard:[]"), 20, bLog);
            Thread.sleep(1000);
            assertThat(read(bLog)).doesNotContain("from-the-desktop", "secret-of-a");
            menu(0, 2); // Cell → Paste into the cell
            waitUntil(() -> read(bLog).contains("b-clipboard:[from-the-desktop]"), 10, bLog);
            closeTheOnlyWindow(b);
        } finally {
            b.destroyForcibly().waitFor();
        }
        assertThat(read(bLog))
                .containsPattern(
                        "\"event\":\"clipboard.copied\",\"cell\":\"c[0-9a-f]+\",\"direction\":\"in\",\"bytes\":16");
    }

    private void closeTheOnlyWindow(Process p) throws Exception {
        host.xdotool("mousemove", "300", "300", "click", "1");
        Thread.sleep(500);
        host.xdotool("key", "--clearmodifiers", "ctrl+shift+w");
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }

    /** Clicks the {@code item}th entry of the Cell menu of the window whose left edge is at {@code x}. */
    private void menu(int x, int item) throws Exception {
        host.xdotool("mousemove", "" + (x + 20), "10", "click", "1");
        Thread.sleep(400);
        host.xdotool("mousemove", "" + (x + 60), "" + (21 + 21 * item - 10), "click", "1");
    }

    private String waitForWindow(String label) throws Exception {
        String[] id = {""};
        waitUntil(
                () -> {
                    try {
                        id[0] = host.xdotool("search", "--name", "\\[untrusted\\] " + label)
                                .strip();
                        return !id[0].isEmpty();
                    } catch (Exception e) {
                        return false;
                    }
                },
                30,
                null);
        return id[0].lines().findFirst().orElseThrow();
    }
}
