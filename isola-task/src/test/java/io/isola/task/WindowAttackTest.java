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
    void twoCellsClipboardsStayApartUntilTheUserCopiesFromOneAndPastesIntoTheOther() throws Exception {
        Process a = run("a.log", Map.of(), "cell-a", "printf secret-of-a | xclip -i -selection clipboard; sleep 600");
        Process b = run("b.log", Map.of(), "cell-b", """
                last=x
                while :; do
                  now=$(xclip -o -selection clipboard 2>/dev/null)
                  [ "$now" != "$last" ] && echo "b-clipboard:[$now]" && last=$now
                  sleep 0.2
                done""");
        try {
            String winA = waitForWindow("cell-a"), winB = waitForWindow("cell-b");
            host.xdotool("windowmove", winB, "700", "0");
            Path bLog = work.resolve("b.log");
            Thread.sleep(3000);
            // B's clipboard is empty; A's secret is A's own
            assertThat(read(bLog)).contains("b-clipboard:[]").doesNotContain("secret-of-a");
            // the user's two actions: copy on A's window, paste on B's (again, should a click race the map)
            for (int i = 0; i < 5 && !read(bLog).contains("b-clipboard:[secret-of-a]"); i++) {
                host.xdotool("mousemove", "300", "300", "click", "1", "key", "--clearmodifiers", "ctrl+shift+c");
                Thread.sleep(1500);
                host.xdotool("mousemove", "1000", "300", "click", "1", "key", "--clearmodifiers", "ctrl+shift+v");
                Thread.sleep(1500);
            }
            waitUntil(() -> read(bLog).contains("b-clipboard:[secret-of-a]"), 10, bLog);
            host.xdotool("key", "--clearmodifiers", "ctrl+shift+w");
            host.xdotool("mousemove", "300", "300", "click", "1", "key", "--clearmodifiers", "ctrl+shift+w");
            assertThat(a.waitFor(20, TimeUnit.SECONDS) && b.waitFor(20, TimeUnit.SECONDS))
                    .isTrue();
            assertThat(read(work.resolve("a.log")))
                    .containsPattern(
                            "\"event\":\"clipboard.copied\",\"cell\":\"c[0-9a-f]+\",\"direction\":\"out\",\"bytes\":11")
                    .doesNotContain("\"secret-of-a");
            assertThat(read(bLog))
                    .containsPattern(
                            "\"event\":\"clipboard.copied\",\"cell\":\"c[0-9a-f]+\",\"direction\":\"in\",\"bytes\":11");
            assertThat(winA).isNotEqualTo(winB);
        } finally {
            a.destroyForcibly().waitFor();
            b.destroyForcibly().waitFor();
        }
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
