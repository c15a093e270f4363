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

    /** In a sandbox cell, or in a VM cell once {@link #inVms} was called. */
    Process run(String log, Map<String, String> env, String label, String script) throws Exception {
        return host.java(work.resolve(log), env, WindowTaskMain.class.getName(), mode, label, "/bin/sh", "-c", script);
    }

    private String mode = "run";

    /** The rest of the test runs its cells in VMs: the image and golden snapshot are made here first. */
    private void inVms() throws Exception {
        try (TaskHarness h = new TaskHarness()) {
            NetEngines.engine("vm", h);
        }
        mode = "vm-run";
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
                xdpyinfo -queryExtensions > /tmp/ext 2>&1
                echo "extensions: $(grep -c opcode /tmp/ext), glx: $(grep -c GLX /tmp/ext)"
                env | grep -E '^(WAYLAND|DBUS|PULSE|XAUTHORITY|XDG_RUNTIME)' || echo "session-env: none"
                ls -A /run /run/user %s 2>&1 | tr '\\n' ' '; echo
                """.formatted(n, runtime));
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(read(work.resolve("log")))
                    .contains("x-sockets: X0 ", "host-x: none", "own-x: 640 480", "session-env: none", "code=0")
                    .containsPattern("ls: cannot access '/run/user'")
                    .containsPattern("extensions: [1-9][0-9]*, glx: 0\n") // its own X server has no GL stack
                    .doesNotContain("REACHED", "wayland-0", "X" + n + " ");
        } finally {
            p.destroyForcibly().waitFor();
            Files.deleteIfExists(runtime.resolve("wayland-0"));
            Files.deleteIfExists(runtime);
        }
    }

    @Test
    void aCellThatTruncatesItsScreenHasItsWindowClosedWithAReasonAndTheHostCarriesOn() throws Exception {
        truncatedScreenClosesTheWindow();
    }

    /** In a VM the guest's truncated screen file is mirrored as it is, and the host's window refuses it the same. */
    @Test
    void aVmCellThatTruncatesItsScreenHasItsWindowClosedWithAReason() throws Exception {
        inVms();
        truncatedScreenClosesTheWindow();
    }

    /** In a VM, links, FIFOs and hidden files in the screen folder stay in the guest: the host's has plain files. */
    @Test
    void aVmCellsPlantedLinksAndFifosNeverReachTheHostsScreenFolder() throws Exception {
        inVms();
        Path log = work.resolve("log");
        Process p = run("log", Map.of(), "planter", """
                sleep 1
                d=/run/isola-display
                ln -s /etc/passwd $d/planted-link && mkfifo $d/planted-fifo && echo x > $d/.hidden && echo planted
                sleep 600""");
        try {
            waitUntil(() -> read(log).contains("planted"), 60, log);
            Thread.sleep(500); // a few of the mirror's rounds
            Path folder = screenFolderOf(p);
            try (var names = Files.list(folder)) {
                assertThat(names.map(f -> f.getFileName().toString()).toList()).containsExactly("Xvfb_screen0");
            }
            assertThat(Files.isRegularFile(folder.resolve("Xvfb_screen0"), java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .isTrue();
            closeTheOnlyWindow(p);
            assertThat(read(log)).contains("closed: the window was closed");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** The screen folder the window's JVM holds open: the one descriptor of its that reaches an Xvfb_screen0. */
    private static Path screenFolderOf(Process p) throws Exception {
        try (var fds = Files.list(Path.of("/proc/" + p.pid() + "/fd"))) {
            for (Path fd : fds.toList()) {
                if (Files.isDirectory(fd) && Files.exists(fd.resolve("Xvfb_screen0"))) {
                    return fd;
                }
            }
        }
        throw new AssertionError("the window's process holds no screen folder open");
    }

    private void truncatedScreenClosesTheWindow() throws Exception {
        Process p =
                run("log", Map.of(), "wrecker", "sleep 2; truncate -s 1000 /run/isola-display/Xvfb_screen0; sleep 600");
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            // seen before a read ("(1000 of N bytes)") or during one, which then comes up short ("(K of N pixel
            // bytes)"): in a VM the mirror's truncation may land while the window reads the screen
            assertThat(read(work.resolve("log")))
                    .containsPattern(
                            "closed: its screen file was truncated \\((1000 of \\d+ bytes|\\d+ of \\d+ pixel bytes)\\)")
                    .contains("code=137");
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
    void aCellCannotFillTheHostsDiskThroughItsScreenFolderNorLeaveItBehind() throws Exception {
        // 640×480 (WindowTaskMain's run): the screen folder holds at most this, rounded up to pages
        long capKiB = (io.isola.display.CellDisplay.capBytes(640, 480) + 4095) / 4096 * 4;
        String dir = "/run/isola-display";
        Path log = work.resolve("log");
        java.nio.file.FileStore disk = Files.getFileStore(work);
        long freeBefore = disk.getUsableSpace();
        Process p = run("log", Map.of(), "filler", """
                sleep 2
                dd if=/dev/zero of=%1$s/big bs=1M count=2048 2>&1 | grep -o 'No space left on device' | head -1
                echo "big: $(stat -c %%s %1$s/big) bytes"
                rm -f %1$s/big
                i=0; while [ $i -lt 1000 ] && touch %1$s/f$i 2>/dev/null; do i=$((i+1)); done; echo "files: $i"
                rm -f %1$s/f*
                ln -s /etc/passwd %1$s/planted-link && mkfifo %1$s/planted-fifo && echo "planted: yes"
                echo "cap: $(df -k --output=size %1$s | tail -1 | tr -d ' ')"
                echo done-filling
                sleep 600""".formatted(dir));
        try {
            waitUntil(() -> read(log).contains("done-filling"), 60, log);
            String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
            assertThat(mounts)
                    .as("the screen folder is mounted nowhere on the host, not even while the cell runs")
                    .doesNotContain("size=" + capKiB + "k");
            assertThat(read(log))
                    .contains("No space left on device", "cap: " + capKiB + "\n", "planted: yes")
                    .containsPattern("files: [0-9]\\n");
            long big = Long.parseLong(read(log).replaceAll("(?s).*big: ([0-9]+) bytes.*", "$1"));
            assertThat(big).as("what the 2 GiB write left").isLessThan(capKiB * 1024);
            assertThat(freeBefore - disk.getUsableSpace())
                    .as("the host's disk lost no more than other programs on this machine write meanwhile")
                    .isLessThan(1L << 30);
            // the window still answers: the user closes it, and its cell goes
            closeTheOnlyWindow(p);
            assertThat(read(log)).contains("closed: the window was closed", "code=");
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain("size=" + capKiB + "k");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aSigkilledIsolaLeavesNoScreenFolderNorCellBehind() throws Exception {
        long capKiB = (io.isola.display.CellDisplay.capBytes(640, 480) + 4095) / 4096 * 4;
        long n = System.nanoTime();
        String marker = "isola-sigkill-" + n; // only the cell's shell has it (its $0): the JVM's arguments hold "$m-N"
        Path log = work.resolve("log");
        Process p =
                run("log", Map.of(), "killed", "echo cell-is-up; m=isola-sigkill; exec sh -c 'sleep 600; :' $m-" + n);
        waitUntil(() -> read(log).contains("cell-is-up") && WindowTaskTest.processesNaming(marker) > 0, 30, log);
        p.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no finally
        read(log)
                .lines()
                .filter(l -> l.startsWith("harness-dirs: "))
                .flatMap(l -> java.util.Arrays.stream(l.substring(14).split(" ")))
                .forEach(d -> TaskHarness.delete(Path.of(d))); // the killed JVM's scratch, not the cell's
        // bwrap --die-with-parent takes the cell; the screen folder was never in the host's mount table
        waitUntil(() -> WindowTaskTest.processesNaming(marker) == 0, 10, log);
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain("size=" + capKiB + "k");
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
        clipboardsStayApart("c[0-9a-f]+");
    }

    /**
     * The same in VM cells, where the text comes out through the guest's mirror of the screen folder and goes in
     * through the task's input: one run in six once lost every input line, so the copy never came out.
     */
    @Test
    void eachVmCellHasAClipboardOfItsOwnThatTextCrossesOnlyByTheWindowsMenu() throws Exception {
        inVms();
        clipboardsStayApart("vm-[0-9a-z-]+");
    }

    private void clipboardsStayApart(String cellIds) throws Exception {
        // A: its clipboard holds a secret; the desktop's holds nothing of it until the user copies it out
        Process a = run(
                "a.log",
                Map.of(),
                "cell-a",
                "printf secret-of-a | xclip -i -selection clipboard; echo a-holds-it; sleep 600");
        try {
            waitForWindow("cell-a");
            waitUntil(() -> read(work.resolve("a.log")).contains("a-holds-it"), 30, work.resolve("a.log"));
            Thread.sleep(1000);
            assertThat(host.run(null, "xclip", "-o", "-selection", "clipboard")).doesNotContain("secret-of-a");
            menu(0, 1); // Cell → Copy out of the cell
            waitUntil(() -> read(work.resolve("a.log")).contains("isola: copied 11 bytes"), 30, work.resolve("a.log"));
            assertThat(host.run(null, "xclip", "-o", "-selection", "clipboard")).isEqualTo("secret-of-a");
            closeTheOnlyWindow(a);
        } finally {
            a.destroyForcibly().waitFor();
        }
        assertThat(read(work.resolve("a.log")))
                .containsPattern("\"event\":\"clipboard.copied\",\"cell\":\"" + cellIds
                        + "\",\"direction\":\"out\",\"bytes\":11")
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
            waitUntil(() -> read(bLog).contains("b-clipboard:[from-the-desktop]"), 30, bLog);
            closeTheOnlyWindow(b);
        } finally {
            b.destroyForcibly().waitFor();
        }
        assertThat(read(bLog))
                .containsPattern("\"event\":\"clipboard.copied\",\"cell\":\"" + cellIds
                        + "\",\"direction\":\"in\",\"bytes\":16");
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
