package io.isola.display;

import io.isola.core.ViewEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A display of the cell's own: inside the cell, a private Xvfb whose only screen lives as a file in a directory the
 * host made and shows to the cell at {@link #CELL_DIR}, an {@code xdotool} that reads the host's input events from
 * the cell's standard input, and the program, whose {@code DISPLAY} is that Xvfb. The cell never sees the host's X
 * socket, Wayland socket, session bus, sound server or clipboard: its own Xvfb listens only inside the cell (its
 * /tmp, its network namespace's abstract sockets), and nothing of the host's session is in its view or environment.
 *
 * @param hostDir the host directory the cell's screen file appears in (empty, made by {@link #prepare})
 * @param width the screen's width in pixels
 * @param height its height
 */
public record CellDisplay(Path hostDir, int width, int height) {
    /** Where the cell sees {@link #hostDir}. */
    public static final String CELL_DIR = "/run/isola-display";
    /** The file the cell leaves its clipboard in when the host's menu asks for it. */
    static final String COPY_FILE = "copy";
    /** What Xvfb names the file of its screen 0 in its {@code -fbdir}. */
    static final String SCREEN_FILE = "Xvfb_screen0";
    /** How long the first frame may take: Xvfb alone needs ~150 ms here, more on a loaded machine. */
    public static final java.time.Duration START_TIMEOUT = java.time.Duration.ofSeconds(20);

    public CellDisplay {
        if (width < 64 || height < 64 || width > XwdHeader.MAX_SIDE || height > XwdHeader.MAX_SIDE) {
            throw new io.isola.core.IsolaException(
                    "a cell's window must be 64×64 to " + XwdHeader.MAX_SIDE + "×" + XwdHeader.MAX_SIDE
                            + " pixels, not " + width + "×" + height,
                    2);
        }
    }

    /** Makes the empty screen directory under {@code taskDir}. */
    public static CellDisplay prepare(Path taskDir, int width, int height) throws IOException {
        Path dir = taskDir.resolve("display");
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return new CellDisplay(dir, width, height);
    }

    /** The cell's screen file, as the host reads it. */
    public Path screenFile() {
        return hostDir.resolve(SCREEN_FILE);
    }

    /** The cell's clipboard as it left it on request, as the host reads it. */
    public Path copyFile() {
        return hostDir.resolve(COPY_FILE);
    }

    /** The view entry that shows the screen directory to the cell. */
    public ViewEntry view() {
        return new ViewEntry(hostDir, Path.of(CELL_DIR), ViewEntry.Access.READ_WRITE);
    }

    /**
     * The cell's command: start the display, wait until it accepts clients, start the input reader on standard
     * input, then run {@code program} on that display with nothing on its standard input. The cell ends when the
     * program does (its pid namespace takes Xvfb and xdotool with it).
     */
    public List<String> wrap(List<String> program) {
        String script = String.join(
                "\n",
                "Xvfb :0 -fbdir " + CELL_DIR + " -screen 0 " + width + "x" + height + "x24"
                        + " -nolisten tcp -noreset -dpi 96 >/dev/null 2>&1 </dev/null &",
                "i=0",
                "while [ ! -S /tmp/.X11-unix/X0 ]; do",
                "  i=$((i+1)); [ $i -gt 4000 ] && { echo 'isola: the cell display did not start' >&2; exit 125; }",
                "  sleep 0.005",
                "done",
                "export DISPLAY=:0",
                // a background job's stdin would be /dev/null: hand it the host's input pipe explicitly. Lines are
                // xdotool commands, but for the two clipboard requests, which only the host's menu sends.
                "exec 3<&0",
                "{ while IFS= read -r l <&3; do case $l in",
                "  isola-copy) xclip -o -selection clipboard 2>/dev/null </dev/null | head -c "
                        + (CellClipboard.MAX_BYTES + 1) + " > " + CELL_DIR + "/.copy; mv -f " + CELL_DIR + "/.copy "
                        + CELL_DIR + "/copy ;;",
                "  'isola-paste '*) printf %s \"${l#isola-paste }\" | base64 -d > /tmp/.isola-paste",
                "    for s in clipboard primary; do xclip -i -selection $s /tmp/.isola-paste </dev/null >/dev/null 2>&1; done ;;",
                "  *) printf '%s\\n' \"$l\" ;;",
                "esac; done | xdotool - ; } >/dev/null 2>&1 &",
                "\"$@\" </dev/null 3<&-",
                "exit $?");
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", script, "isola-display"));
        argv.addAll(program);
        return argv;
    }
}
