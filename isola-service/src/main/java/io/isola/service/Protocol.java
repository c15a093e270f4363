package io.isola.service;

/** The words of the protocol (docs/service.md): request verbs, field keys and the reply's. */
public final class Protocol {
    public static final String VERSION = "1";

    // every request
    public static final String ISOLA = "isola", VERB = "verb", CWD = "cwd";
    // verbs
    public static final String RUN = "run", OPEN = "open", TRUST = "trust", PS = "ps", KILL = "kill", POLICY = "policy";
    /**
     * The session's agent, at login: a display of its desktop's size ({@link #SCREEN_WIDTH} and the rest), prepared
     * for the person's first window as the daemon prepares one after each window.
     */
    public static final String PREPARE_WINDOW = "prepare-window";
    // run
    public static final String ENGINE = "engine",
            IMAGE = "image",
            RO = "ro",
            RW = "rw",
            ENV = "env",
            WORKDIR = "workdir",
            MEMORY = "memory",
            PIDS = "pids",
            CPUS = "cpus",
            CPU_TIME_MS = "cpu-time-ms",
            TIMEOUT_MS = "timeout-ms",
            DISK = "disk",
            ARG = "arg";
    // open, trust, ps, kill
    public static final String TARGET = "target", VIEW = "view", JSON = "json", CELL = "cell";
    /**
     * An open's window: {@link #WINDOW_REQUIRED} ({@code open --window}) or {@link #WINDOW_IF_GRAPHICAL} (a
     * double-click: a window when the policy's handler draws one). Then the daemon sends a {@code window} frame with
     * the screen's folder (an O_PATH descriptor) and the input pipe, and the client draws it (docs/windows.md).
     */
    public static final String WINDOW = "window", WINDOW_REQUIRED = "required", WINDOW_IF_GRAPHICAL = "if-graphical";
    /**
     * The sizes of the client's desktop in device pixels, sent with a window request and back in the window frame:
     * the cell's screen, the window's first size and the desktop's scale.
     */
    public static final String SCREEN_WIDTH = "screen-width",
            SCREEN_HEIGHT = "screen-height",
            WIDTH = "width",
            HEIGHT = "height",
            SCALE = "scale";
    // the window frame (daemon to client)
    public static final String LEVEL = "level", WHAT = "what";
    /** Client to daemon: the person closed the window, or it refused what the cell drew ({@link #REASON} says). */
    public static final String WINDOW_CLOSED = "window-closed";
    /** Client to daemon: text crossed the cell's clipboard on the person's request ({@link #DIRECTION}, bytes). */
    public static final String CLIPBOARD = "clipboard", DIRECTION = "direction", BYTES = "bytes";
    /** Sent by the client while its request runs: the user pressed Ctrl-C, or the client was told to stop. */
    public static final String INTERRUPT = "interrupt";
    // reply
    public static final String EXIT = "exit", ERROR = "error", REASON = "reason", DETAIL = "detail";
    /** A reply's line for the client to print as it is, on stderr: the limit or kill that ended a run's cell. */
    public static final String SAID = "said";

    private Protocol() {}
}
