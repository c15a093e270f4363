package io.isola.task;

/**
 * Where a cell's display is shown to the person. A command run in the person's own session shows it itself, in a
 * window of its own process ({@link #IN_THIS_PROCESS}). The service never shows one: it hands the display to the
 * person's own process that asked (the client, or the session's agent), which draws it in their session (the
 * root service never connects to anyone's display). Either way the cell only ever writes its screen file and reads
 * input lines; what draws them is the host's.
 */
public interface WindowPlace {
    /** A window in this process, on this process's display. */
    WindowPlace IN_THIS_PROCESS = new LocalWindow();

    /**
     * The sizes of a cell's window, in device pixels of the desktop it shows on ({@link
     * io.isola.display.WindowSize}'s): the cell's whole screen, the part shown at first, and the desktop's scale.
     */
    record Size(int screenWidth, int screenHeight, int width, int height, double scale) {
        static Size of(io.isola.display.WindowSize s) {
            return new Size(s.screenWidth(), s.screenHeight(), s.width(), s.height(), s.scale());
        }

        io.isola.display.WindowSize toWindowSize() {
            return new io.isola.display.WindowSize(screenWidth, screenHeight, width, height, scale);
        }
    }

    /**
     * A cell's display, ready to be shown: the descriptor of the folder its screen file appears in (the display's own:
     * the place duplicates what it keeps), its sizes, the write end of the pipe to its input reader (the place owns
     * it from here), the trust level and what the title names.
     */
    record Screen(int folder, Size size, int input, String level, String what) {}

    /** What the window tells the task. */
    interface Events {
        /** The window ended the cell: closed by the person, or by the host refusing what the cell drew. */
        void closed(String reason);

        /** Text crossed the cell's border on the person's request (audited without the text). */
        void clipboard(String direction, int bytes);

        /** A line for the person, about the window. */
        void say(String line);
    }

    /** Fails early, in one line, where no window can be shown: before a cell starts. */
    void check();

    /** The sizes a cell's screen and window get on the desktop the window will show on. */
    Size size();

    /**
     * Whether a window can be shown here at all, asked where none was asked for (a double-click, a plain open): a
     * display that does not answer means the level's handler runs without one, not an error.
     */
    boolean available();

    /**
     * Shows {@code screen} while the cell runs ({@code running}); returns what to close when the cell has ended.
     * A display that never shows anything usable is reported through {@link Events#closed}, not thrown.
     */
    AutoCloseable show(Screen screen, java.util.function.BooleanSupplier running, Events events)
            throws InterruptedException;
}
