package io.isola.display;

import io.isola.core.IsolaException;
import io.isola.core.ViewEntry;
import io.isola.linux.DetachedTmpfs;
import io.isola.linux.LinuxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A display of the cell's own: inside the cell, a private Xvfb whose only screen lives as a file in a directory the
 * host made and shows to the cell at {@link #CELL_DIR}, an {@code xdotool} that reads the host's input events from
 * the cell's standard input, and the program, whose {@code DISPLAY} is that Xvfb. The cell never sees the host's X
 * socket, Wayland socket, session bus, sound server or clipboard: its own Xvfb listens only inside the cell (its
 * /tmp, its network namespace's abstract sockets), and nothing of the host's session is in its view or environment.
 *
 * <p>The screen directory is a tmpfs of its own, just big enough for the screen file of this size, two clipboard
 * files and a little slack, with room for {@link #INODES} names: a cell that writes more gets ENOSPC, and the
 * host's disk never sees a byte of it. It is mounted nowhere on the host ({@link DetachedTmpfs}): the host holds
 * it by a descriptor and reads it through {@code /proc/self/fd/N}, the engine shows a copy of that mount to the
 * cell. So nothing of it can be left behind, even when Isola is SIGKILLed: the kernel frees it with the last
 * descriptor and the cell's mount namespace. (A tmpfs mounted on the task's folder would outlive a SIGKILL on the
 * host's mount table; bwrap's own {@code --size --tmpfs} would leave the host only {@code /proc/PID/root} paths
 * through the cell's root, whose folders the cell can swap for links; a pre-sized file lets the cell still create
 * other files beside it.) Its root is writable by everyone (mode 0777) because only two parties can reach it at
 * all: this process, through its own descriptor, and the cell whose user the engine maps onto it.
 */
public final class CellDisplay implements AutoCloseable {
    /** Where the cell sees {@link #hostDir}. */
    public static final String CELL_DIR = "/run/isola-display";
    /** The file the cell leaves its clipboard in when the host's menu asks for it. */
    static final String COPY_FILE = "copy";
    /** What Xvfb names the file of its screen 0 in its {@code -fbdir}. */
    static final String SCREEN_FILE = "Xvfb_screen0";
    /** How long the first frame may take: Xvfb alone needs ~150 ms here, more on a loaded machine. */
    public static final java.time.Duration START_TIMEOUT = java.time.Duration.ofSeconds(20);
    /** Names the screen directory may hold: itself, the screen, the X server's socket, the clipboard and its temporary, and spare. */
    static final int INODES = 8;
    /** Room beyond the files Isola expects: XWD header and colormap, a page's rounding per file. */
    static final long SLACK = 64 * 1024;

    private int dirFd;
    private final WindowSize size;

    private CellDisplay(int dirFd, WindowSize size) {
        this.dirFd = dirFd;
        this.size = size;
    }

    /**
     * Makes the empty, bounded screen directory for a screen of {@code width}×{@code height}.
     *
     * @throws IsolaException when the size is out of bounds, or this kernel cannot make or show such a directory
     */
    public static CellDisplay create(int width, int height) {
        return create(WindowSize.fixed(width, height));
    }

    /** The same for a window of {@code size}: the screen directory holds a screen of its whole screen's size. */
    public static CellDisplay create(WindowSize size) {
        try {
            return new CellDisplay(
                    DetachedTmpfs.create(capBytes(size.screenWidth(), size.screenHeight()), INODES, 0777), size);
        } catch (LinuxException e) {
            throw new IsolaException(
                    "this kernel cannot give a cell's window a screen folder of a fixed size (" + e.getMessage()
                            + "); windows need the new mount API with clones of detached mounts (Linux 6.18 has"
                            + " them): open the file without --window",
                    2);
        }
    }

    /**
     * A display another process made, handed to this one by its screen folder's descriptor (the service hands it to
     * the person's own process, which draws the window): read here exactly as its maker would. Takes {@code dirFd}
     * over; {@link #close} lets go of it.
     */
    public static CellDisplay handedOver(int dirFd, WindowSize size) {
        return new CellDisplay(dirFd, size);
    }

    /** The screen folder's descriptor (owned by this display): what is handed to the process that draws it. */
    public int folder() {
        return dirFd;
    }

    /** The most the screen directory holds: the screen, the clipboard twice (being replaced) and {@link #SLACK}. */
    public static long capBytes(int width, int height) {
        return (long) width * height * 4 + 2L * (CellClipboard.MAX_BYTES + 1) + SLACK;
    }

    /** The screen directory, as this process (and only it) reaches it. */
    public Path hostDir() {
        return Path.of(DetachedTmpfs.path(dirFd));
    }

    /** The cell's screen's width: the screen file's, whatever part of it the window shows. */
    public int width() {
        return size.screenWidth();
    }

    public int height() {
        return size.screenHeight();
    }

    public WindowSize size() {
        return size;
    }

    /** The cell's screen file, as the host reads it. */
    public Path screenFile() {
        return hostDir().resolve(SCREEN_FILE);
    }

    /** The cell's clipboard as it left it on request, as the host reads it. */
    public Path copyFile() {
        return hostDir().resolve(COPY_FILE);
    }

    /** The view entry that shows the screen directory to the cell. */
    public ViewEntry view() {
        return ViewEntry.heldOpen(dirFd, Path.of(CELL_DIR));
    }

    /** Where the cell's programs find the display's socket: the X server's own folder, the screen folder shown there. */
    public static final String SOCKET_DIR = "/tmp/.X11-unix";

    /**
     * The view entries that show the screen folder to a cell: at {@link #CELL_DIR}, and at {@link #SOCKET_DIR}, where
     * the display's X server makes its socket. The display cell and its program's cell both see both: the program
     * connects through the folder, and sees the screen its X server writes (as one cell holding both would).
     */
    public List<ViewEntry> views() {
        return List.of(view(), ViewEntry.heldOpen(dirFd, Path.of(SOCKET_DIR)));
    }

    /**
     * The cell's command, display and program in one cell (the vm engine's guest): start the display, wait until it
     * accepts clients, start the input reader on standard input, then run {@code program} on that display with
     * nothing on its standard input. The cell ends when the program does (its pid namespace takes Xvfb and xdotool
     * with it).
     */
    public List<String> wrap(List<String> program) {
        String script = String.join(
                "\n",
                xvfb(),
                AWAIT_SERVER,
                // a background job's stdin would be /dev/null: hand it the host's input pipe explicitly
                "exec 3<&0",
                "{ " + INPUT_READER + " } >/dev/null 2>&1 &",
                "\"$@\" </dev/null 3<&-",
                "exit $?");
        return withProgram(script, program);
    }

    /**
     * The command of a display cell, started before (or while) the program's cell is: the display and the input
     * reader on standard input. The cell lives as long as its X server: one that died is seen as an ended cell. The
     * program runs in a cell of its own that sees the screen folder ({@link #views}) and starts with {@link
     * #clientCommand}.
     */
    public List<String> serverCommand() {
        String script = String.join(
                "\n",
                xvfb(),
                AWAIT_SERVER,
                "exec 3<&0",
                "{ " + INPUT_READER + " } >/dev/null 2>&1 &",
                "wait $xvfb_pid");
        return List.of("/bin/sh", "-c", script, "isola-display");
    }

    /**
     * The program's command in a cell of its own, on the display a display cell runs: it waits for the display's
     * socket (at once when the display was prepared ahead), then becomes the program, with nothing on its standard
     * input.
     */
    public static List<String> clientCommand(List<String> program) {
        return withProgram(String.join("\n", AWAIT_SERVER, "exec \"$@\" </dev/null"), program);
    }

    /**
     * The same, but what runs once the display is there is {@code script}, whose {@code "$@"} is {@code program}: for
     * a program that is started before its file is known and then handed it (a ready viewer, in isola-task).
     */
    public static List<String> clientCommand(String script, List<String> program) {
        return withProgram(String.join("\n", AWAIT_SERVER, script), program);
    }

    private static List<String> withProgram(String script, List<String> program) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", script, "isola-display"));
        argv.addAll(program);
        return argv;
    }

    /**
     * The cell's X server, in the background. No GLX: loading Mesa took the X server 65 of its 160 ms to its first
     * client here, the programs Isola shows draw without it, and a GL stack in the cell's X server is code the cell
     * can reach.
     */
    private String xvfb() {
        return "Xvfb :0 -fbdir " + CELL_DIR + " -screen 0 " + width() + "x" + height() + "x24"
                + " -nolisten tcp -noreset -extension GLX -dpi " + size.dpi() + " >/dev/null 2>&1 </dev/null &\n"
                + "xvfb_pid=$!";
    }

    /**
     * Waits until the display's socket is there (20 s at most; where this script started the X server, only while it
     * runs: one that died before its socket ends the wait and the cell at once), then points DISPLAY at it.
     */
    private static final String AWAIT_SERVER = String.join(
            "\n",
            "i=0",
            "while [ ! -S " + SOCKET_DIR + "/X0 ]; do",
            "  i=$((i+1))",
            "  if [ $i -gt 4000 ] || { [ -n \"${xvfb_pid:-}\" ] && ! kill -0 \"$xvfb_pid\" 2>/dev/null; }; then",
            "    echo 'isola: the cell display did not start' >&2; exit 125",
            "  fi",
            "  sleep 0.005",
            "done",
            "export DISPLAY=:0");

    /**
     * Reads the host's input lines from descriptor 3 into xdotool. Lines are xdotool commands, but for the
     * clipboard's two requests (which only the host's menu sends) and a resize of the host's window.
     */
    private static final String INPUT_READER = String.join(
            "\n",
            "while IFS= read -r l <&3; do case $l in",
            "  isola-copy) xclip -o -selection clipboard 2>/dev/null </dev/null | head -c "
                    + (CellClipboard.MAX_BYTES + 1) + " > " + CELL_DIR + "/.copy; mv -f " + CELL_DIR + "/.copy "
                    + CELL_DIR + "/copy ;;",
            "  'isola-paste '*) printf %s \"${l#isola-paste }\" | base64 -d > /tmp/.isola-paste",
            "    for s in clipboard primary; do xclip -i -selection $s /tmp/.isola-paste </dev/null >/dev/null 2>&1; done ;;",
            // the host's window was resized: the program's windows (at 0,0, there is no window manager) follow
            "  'isola-resize '*) set -- ${l#isola-resize }",
            "    xdotool search --onlyvisible --maxdepth 1 --name '' windowmove %@ 0 0 windowsize %@ \"$1\" \"$2\""
                    + " </dev/null >/dev/null 2>&1 ;;",
            "  *) printf '%s\\n' \"$l\" ;;",
            "esac; done | xdotool - ;");

    /** Lets go of the screen directory; the kernel frees it once the cell that showed it is gone too. */
    @Override
    public synchronized void close() {
        if (dirFd >= 0) {
            io.isola.linux.Libc.close(dirFd);
        }
        dirFd = -1;
    }
}
