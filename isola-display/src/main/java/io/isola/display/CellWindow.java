package io.isola.display;

import java.awt.Dimension;
import java.awt.Graphics;
import java.awt.event.FocusAdapter;
import java.awt.event.FocusEvent;
import java.awt.event.KeyAdapter;
import java.awt.event.KeyEvent;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.awt.event.MouseWheelEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.HashSet;
import java.util.Set;
import javax.swing.JFrame;
import javax.swing.JPanel;
import javax.swing.SwingUtilities;
import javax.swing.WindowConstants;

/**
 * Isola's own window for one cell: it draws only the pixels of the cell's screen, inside a border of the level's
 * colour that the host draws and the cell cannot reach, under a title that names the level; and it passes to the
 * cell only the keys and pointer events of this window while it has them (AWT delivers keys only to the focused
 * window). Frames are sampled by the host at its own pace. Closing the window, or any frame the host cannot
 * accept, ends the window and tells {@code onClose} why; the task then kills the cell.
 *
 * <p>The window opens as the cell starts, before the cell's display has a screen: the person sees the marked window
 * at once (a dark area that says what is starting), and the window's own start overlaps the cell's.
 *
 * <p>The window shows the top-left part of the cell's screen, one cell pixel to one device pixel of the desktop
 * (at a HiDPI scale of 2, a logical pixel of the window is 2×2 of the cell's). The user may resize it up to the
 * cell's screen; the cell is then asked to fit its programs' windows to the part shown ({@link WindowSize}).
 */
public final class CellWindow implements AutoCloseable {
    /** Whether this process has started the desktop toolkit's warm-up ({@link #checkDisplay}). */
    private static final java.util.concurrent.atomic.AtomicBoolean WARMING =
            new java.util.concurrent.atomic.AtomicBoolean();

    /** Why a window ended when the user closed it: not an error. */
    public static final String CLOSED_BY_USER = "the window was closed";

    /**
     * The period at which an idle window looks at the cell's screen, the period just after input, and how long
     * "just after" lasts.
     */
    static final long IDLE_POLL_MS = 16, BUSY_POLL_MS = 3, BUSY_FOR_MS = 300;
    /** How long the first frame is looked for at the busy rate: a sandbox cell's program draws within it. */
    static final long FIRST_FRAME_BUSY_MS = 2000;
    /** How long a resize must rest before the cell is told: a drag of the window's edge is one resize, not 50. */
    static final int RESIZE_SETTLE_MS = 150;

    /** The cell's display, whose screen the sampler waits for (while {@link #running}) and then owns. */
    private final CellDisplay display;

    private final java.util.function.BooleanSupplier running;

    private final CellInput input;
    private final Listener listener;
    private final BufferedImage image;
    private final int[] shown;
    private final Set<Integer> held = new HashSet<>();
    private final JFrame frame;
    private final Screen screen;
    private final Thread sampler;
    private final WindowSize size;
    /** The part of the cell's screen shown now, in device pixels. */
    private volatile int viewWidth, viewHeight;

    private final javax.swing.Timer resizeSettled;
    private volatile boolean closed;
    private volatile long busyUntil;
    private volatile long firstFrameNanos;
    /** What the window says while the cell's display starts. */
    private final String starting;

    private final java.util.concurrent.atomic.AtomicLong paints = new java.util.concurrent.atomic.AtomicLong();

    /** What the window tells the task. */
    public interface Listener {
        /** The window ended: the user closed it, or the host refused what the cell drew. Kill the cell. */
        void closed(String why);

        /** Text crossed the cell's clipboard by the user's action: {@code direction} is {@code out} or {@code in}. */
        void clipboard(String direction, int bytes);

        /** One line for the user, e.g. why nothing was copied. */
        void say(String line);
    }

    private CellWindow(
            CellDisplay display,
            java.util.function.BooleanSupplier running,
            int inputFd,
            WindowLook look,
            Listener listener) {
        this.display = display;
        this.running = running;
        this.starting = "Starting " + look.what() + " in a cell (" + look.level() + ")…";
        this.size = display.size();
        this.viewWidth = size.width();
        this.viewHeight = size.height();
        this.input = new CellInput(inputFd);
        this.listener = listener;
        this.shown = ScreenBuffers.take(size.screenWidth() * size.screenHeight());
        this.image = rgbImage(shown, size.screenWidth(), size.screenHeight());
        this.screen = new Screen(look);
        this.frame = new JFrame(look.title());
        frame.setDefaultCloseOperation(WindowConstants.DO_NOTHING_ON_CLOSE);
        frame.addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosing(WindowEvent e) {
                end(CLOSED_BY_USER);
            }
        });
        frame.setContentPane(screen);
        frame.setJMenuBar(menu());
        frame.pack();
        this.resizeSettled = new javax.swing.Timer(RESIZE_SETTLE_MS, e -> input.resize(viewWidth, viewHeight));
        resizeSettled.setRepeats(false);
        screen.addComponentListener(new java.awt.event.ComponentAdapter() {
            @Override
            public void componentResized(java.awt.event.ComponentEvent e) {
                resized();
            }
        });
        frame.setLocationByPlatform(true);
        this.sampler = Thread.ofPlatform().daemon().name("isola-cell-frames").unstarted(this::sample);
    }

    /**
     * Opens the window for the cell whose display is {@code display} at once, and shows its screen once the display
     * has made it (while {@code running}). The window owns {@code inputFd} from here. A display that never shows a
     * usable screen ends the window with the reason, as any frame the host refuses does.
     *
     * @throws FrameException when the window cannot open ({@code inputFd} is closed then)
     */
    public static CellWindow open(
            CellDisplay display,
            int inputFd,
            WindowLook look,
            java.util.function.BooleanSupplier running,
            Listener listener) {
        CellWindow[] w = new CellWindow[1];
        try {
            SwingUtilities.invokeAndWait(() -> {
                w[0] = new CellWindow(display, running, inputFd, look, listener);
                // the screen is opened and read while the desktop maps the window: the first paint shows what is there
                w[0].sampler.start();
                w[0].frame.setVisible(true);
                w[0].screen.requestFocusInWindow();
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            io.isola.linux.Libc.close(inputFd);
            throw new FrameException("the window could not be opened: interrupted");
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (w[0] == null) {
                io.isola.linux.Libc.close(inputFd); // no window took it
            } else {
                w[0].close();
            }
            throw new FrameException(
                    "the window could not be opened: " + e.getCause().getMessage());
        }
        return w[0];
    }

    /**
     * Fails early, in one line, where this process cannot show a window (before any cell starts), and lets the
     * desktop toolkit start meanwhile: it takes a few hundred ms, which the cell and its display take too.
     */
    public static void checkDisplay() {
        String d = System.getenv("DISPLAY");
        if (d == null || d.isBlank() || java.awt.GraphicsEnvironment.isHeadless()) {
            throw new io.isola.core.IsolaException(
                    "a window needs your desktop's display: run it in your desktop session (DISPLAY is "
                            + (d == null || d.isBlank() ? "not set" : d + ", but Java runs headless") + ")",
                    2);
        }
        if (!answers(d)) {
            throw new io.isola.core.IsolaException(
                    "a window needs your desktop's display, and DISPLAY=" + d + " does not answer: run it in your"
                            + " desktop session",
                    2);
        }
        if (WARMING.getAndSet(true)) {
            return; // each check would start the toolkit again, on a core the cell needs
        }
        Thread.ofPlatform().daemon().name("isola-awt-warmup").start(() -> {
            try {
                java.awt.Toolkit.getDefaultToolkit();
                javax.swing.UIManager.getLookAndFeel();
                io.isola.core.Trace.mark("desktop toolkit ready");
            } catch (Throwable e) {
                // the window's own start says why, in one line
            }
        });
    }

    /**
     * For a process that will draw windows later (the session's agent, started at login): the desktop toolkit, a
     * window of this kind made and disposed without being shown, a window's screen buffers and the reads of its
     * screen, while nobody waits for one. A person's first window then costs what every later one does.
     */
    public static void warmUp() {
        try {
            SwingUtilities.invokeAndWait(() -> {
                JFrame f = new JFrame("Isola");
                f.setContentPane(new javax.swing.JPanel());
                javax.swing.JMenu cell = new javax.swing.JMenu("Cell");
                cell.add(item("Close the cell", KeyEvent.VK_W, () -> {}));
                javax.swing.JMenuBar bar = new javax.swing.JMenuBar();
                bar.add(cell);
                f.setJMenuBar(bar);
                f.pack();
                f.dispose();
            });
            WindowSize desktop = WindowSize.forDesktop();
            ScreenBuffers.prepare(desktop.screenWidth() * desktop.screenHeight());
            io.isola.linux.FrameFile.linkAhead();
            io.isola.core.Trace.mark("desktop toolkit warm");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.lang.reflect.InvocationTargetException | RuntimeException e) {
            // a display that fails here fails the first window too, which says why in its one line
        }
    }

    /**
     * Whether a local display ({@code :N}) has its X server's socket listening: a connect, far cheaper than starting
     * the desktop toolkit to find out. Other forms (a host, a TCP display) are left to the toolkit.
     */
    public static boolean answers(String display) {
        var m = java.util.regex.Pattern.compile(":(\\d+)(\\.\\d+)?").matcher(display);
        if (!m.matches()) {
            return true;
        }
        int fd = io.isola.linux.UnixSockets.connect("/tmp/.X11-unix/X" + m.group(1));
        if (fd < 0) {
            return false;
        }
        io.isola.linux.Libc.close(fd);
        return true;
    }

    /** When the first frame of the cell was drawn (System.nanoTime), or 0 before. */
    public long firstFrameNanos() {
        return firstFrameNanos;
    }

    /** How many times the window has drawn the cell's pixels (what a frame rate counts). */
    public long paints() {
        return paints.get();
    }

    public boolean isOpen() {
        return !closed;
    }

    /** The part of the cell's screen the window shows now, in device pixels: {width, height}. */
    public int[] view() {
        return new int[] {viewWidth, viewHeight};
    }

    /** On the event thread: the window's new size decides the part shown, which the cell learns once it settles. */
    private void resized() {
        int b = WindowLook.BORDER;
        int[] v = size.clampView((int) Math.round((screen.getWidth() - 2 * b) * size.scale()), (int)
                Math.round((screen.getHeight() - 2 * b) * size.scale()));
        if (v[0] == viewWidth && v[1] == viewHeight) {
            return;
        }
        viewWidth = v[0];
        viewHeight = v[1];
        resizeSettled.restart();
        busy();
        screen.repaint();
    }

    private void sample() {
        CellFrames frames = null;
        try {
            // of the window's size, or refused: CellFrames checks the screen against the display's size
            frames = CellFrames.open(
                    display.screenFile(), display.width(), display.height(), CellDisplay.START_TIMEOUT, running);
            io.isola.core.Trace.mark("cell screen file ready");
            // the program's first frame is what the person waits for: looked for at the busy rate (a look costs ~1 ms)
            busyUntil = System.currentTimeMillis() + FIRST_FRAME_BUSY_MS;
            while (!closed) {
                long start = System.nanoTime();
                CellFrames.Rows rows = frames.read(viewHeight); // rows below the window are not read
                if (rows != null) {
                    int w = frames.width(), from = rows.first() * w, to = (rows.last() + 1) * w;
                    synchronized (image) {
                        System.arraycopy(frames.pixels(), from, shown, from, to - from);
                    }
                    if (firstFrameNanos == 0) {
                        firstFrameNanos = System.nanoTime();
                        io.isola.core.Trace.mark("cell window: first frame");
                        busy(); // a window's first frame is seldom its last: its page follows
                        screen.repaint(); // all of it: rows the cell left black still show what was starting
                    }
                    // the changed rows, in the window's logical pixels, one more each side for the scale's rounding
                    int b = WindowLook.BORDER;
                    double s = size.scale();
                    int top = (int) Math.floor(rows.first() / s), bottom = (int) Math.ceil((rows.last() + 1) / s);
                    screen.repaint(b, b + top - 1, (int) Math.ceil(w / s), bottom - top + 2);
                }
                // one look per period, whatever the cell does: at most 60 frames/s idle, and never a busy loop
                long period = System.currentTimeMillis() < busyUntil ? BUSY_POLL_MS : IDLE_POLL_MS;
                long spent = (System.nanoTime() - start) / 1_000_000;
                Thread.sleep(Math.max(1, period - spent));
            }
        } catch (FrameException e) {
            end(e.getMessage());
        } catch (InterruptedException | RuntimeException e) {
            end("its screen could not be read: " + e.getMessage());
        } finally {
            if (frames != null) {
                frames.recycle(); // nothing reads it after this
            }
            // the shown screen once the window is gone: until then the event thread paints from it, and from here
            // on nothing writes it (this is its only writer)
            onEventThread(() -> {
                frame.dispose();
                ScreenBuffers.give(shown);
            });
        }
    }

    /** A TYPE_INT_RGB image over {@code pixels} (0xRRGGBB, row by row), as Java would make one of its own. */
    private static BufferedImage rgbImage(int[] pixels, int width, int height) {
        var model = new java.awt.image.DirectColorModel(24, 0xff0000, 0x00ff00, 0x0000ff);
        var raster = java.awt.image.Raster.createPackedRaster(
                new DataBufferInt(pixels, pixels.length), width, height, width, model.getMasks(), null);
        return new BufferedImage(model, raster, false, null);
    }

    private void end(String why) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        input.close();
        onEventThread(frame::dispose);
        listener.closed(why);
    }

    /**
     * {@code work} on the event thread, from a thread that may have been interrupted (the sampler, as the window
     * closes). When the toolkit has to start its event thread again, it waits, and an interrupt there is printed as a
     * stack trace on the person's terminal: the interrupt is held back for the call and restored after it.
     */
    static void onEventThread(Runnable work) {
        boolean interrupted = Thread.interrupted();
        try {
            SwingUtilities.invokeLater(work);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The user's explicit actions, with the shortcuts the cell never receives. */
    private javax.swing.JMenuBar menu() {
        javax.swing.JMenu cell = new javax.swing.JMenu("Cell");
        cell.add(item(
                "Copy out of the cell", KeyEvent.VK_C, () -> Thread.ofVirtual().start(this::copyOut)));
        cell.add(item("Paste into the cell", KeyEvent.VK_V, this::pasteIn));
        cell.addSeparator();
        cell.add(item("Close the cell", KeyEvent.VK_W, () -> end(CLOSED_BY_USER)));
        javax.swing.JMenuBar bar = new javax.swing.JMenuBar();
        bar.add(cell);
        return bar;
    }

    private static javax.swing.JMenuItem item(String label, int key, Runnable action) {
        javax.swing.JMenuItem i = new javax.swing.JMenuItem(label);
        i.setAccelerator(javax.swing.KeyStroke.getKeyStroke(
                key, java.awt.event.InputEvent.CTRL_DOWN_MASK | java.awt.event.InputEvent.SHIFT_DOWN_MASK));
        i.addActionListener(e -> action.run());
        return i;
    }

    /** Whether a key press is one of the menu's shortcuts, which stay with the host. */
    static boolean isShortcut(KeyEvent e) {
        int k = e.getKeyCode();
        return e.isControlDown() && e.isShiftDown() && (k == KeyEvent.VK_C || k == KeyEvent.VK_V || k == KeyEvent.VK_W);
    }

    private void copyOut() {
        try {
            String text = CellClipboard.copyOut(
                    display.copyFile(),
                    input,
                    () -> listener.say("isola: the cell is slow to hand over its clipboard; waiting up to "
                            + CellClipboard.COPY_TIMEOUT.toSeconds() + " s"));
            java.awt.Toolkit.getDefaultToolkit()
                    .getSystemClipboard()
                    .setContents(new java.awt.datatransfer.StringSelection(text), null);
            int bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            listener.clipboard("out", bytes);
            listener.say("isola: copied " + bytes + " bytes of text out of the cell");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            listener.say("isola: " + e.getMessage());
        }
    }

    private void pasteIn() {
        try {
            Object text = java.awt.Toolkit.getDefaultToolkit()
                    .getSystemClipboard()
                    .getData(java.awt.datatransfer.DataFlavor.stringFlavor);
            CellClipboard.pasteIn((String) text, input);
            int bytes = ((String) text).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            listener.clipboard("in", bytes);
            listener.say("isola: pasted " + bytes + " bytes of text into the cell's clipboard");
        } catch (java.awt.datatransfer.UnsupportedFlavorException | java.io.IOException e) {
            listener.say("isola: the clipboard holds no plain text; nothing was pasted");
        } catch (RuntimeException e) {
            listener.say("isola: " + e.getMessage());
        }
    }

    /** What the menu's Close does: ends the window and, through the task, the cell. */
    public void closeCell() {
        end(CLOSED_BY_USER);
    }

    /** Closes the window because the cell ended (no message: the task reports how it ended). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        input.close();
        sampler.interrupt(); // it closes the frames as it leaves
        try {
            sampler.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        onEventThread(frame::dispose);
    }

    private void busy() {
        busyUntil = System.currentTimeMillis() + BUSY_FOR_MS;
    }

    /** The cell's pixels inside the host's border; the source of every input event the cell gets. */
    private final class Screen extends JPanel {
        private final WindowLook look;

        Screen(WindowLook look) {
            this.look = look;
            int b = WindowLook.BORDER;
            setPreferredSize(new Dimension(
                    (int) Math.round(size.width() / size.scale()) + 2 * b,
                    (int) Math.round(size.height() / size.scale()) + 2 * b));
            setFocusable(true);
            setFocusTraversalKeysEnabled(false); // Tab belongs to the program in the cell
            MouseAdapter mouse = new MouseAdapter() {
                @Override
                public void mouseMoved(MouseEvent e) {
                    move(e);
                }

                @Override
                public void mouseDragged(MouseEvent e) {
                    move(e);
                }

                @Override
                public void mousePressed(MouseEvent e) {
                    requestFocusInWindow();
                    move(e);
                    button(e, true);
                }

                @Override
                public void mouseReleased(MouseEvent e) {
                    move(e);
                    button(e, false);
                }

                @Override
                public void mouseWheelMoved(MouseWheelEvent e) {
                    input.wheel(e.getWheelRotation());
                    busy();
                }
            };
            addMouseListener(mouse);
            addMouseMotionListener(mouse);
            addMouseWheelListener(mouse);
            addKeyListener(new KeyAdapter() {
                @Override
                public void keyPressed(KeyEvent e) {
                    key(e, true);
                }

                @Override
                public void keyReleased(KeyEvent e) {
                    key(e, false);
                }
            });
            addFocusListener(new FocusAdapter() {
                @Override
                public void focusLost(FocusEvent e) {
                    // keys held when the focus leaves would stay pressed in the cell: release them
                    for (Integer code : Set.copyOf(held)) {
                        input.key(KeySyms.of(code), false);
                    }
                    held.clear();
                }
            });
        }

        private void move(MouseEvent e) {
            int b = WindowLook.BORDER;
            double s = size.scale();
            int x = Math.clamp(Math.round((e.getX() - b) * s), 0, viewWidth - 1),
                    y = Math.clamp(Math.round((e.getY() - b) * s), 0, viewHeight - 1);
            input.mouseMove(x, y);
            busy();
        }

        private void button(MouseEvent e, boolean down) {
            int button = switch (e.getButton()) {
                case MouseEvent.BUTTON1 -> 1;
                case MouseEvent.BUTTON2 -> 2;
                case MouseEvent.BUTTON3 -> 3;
                default -> 0;
            };
            if (button > 0) {
                input.button(button, down);
            }
        }

        private void key(KeyEvent e, boolean down) {
            String sym = KeySyms.of(e.getKeyCode());
            if (sym == null || (down && isShortcut(e)) || (!down && !held.contains(e.getKeyCode()))) {
                return;
            }
            if (down) {
                held.add(e.getKeyCode());
            } else {
                held.remove(e.getKeyCode());
            }
            input.key(sym, down);
            busy();
            e.consume();
        }

        @Override
        protected void paintComponent(Graphics g) {
            int b = WindowLook.BORDER;
            g.setColor(look.border());
            g.fillRect(0, 0, getWidth(), getHeight());
            if (firstFrameNanos == 0) { // the cell's display is starting: say so, in the host's own pixels
                g.setColor(WindowLook.STARTING);
                g.fillRect(b, b, getWidth() - 2 * b, getHeight() - 2 * b);
                g.setColor(java.awt.Color.LIGHT_GRAY);
                java.awt.FontMetrics m = g.getFontMetrics();
                g.drawString(starting, Math.max(b + 8, (getWidth() - m.stringWidth(starting)) / 2), getHeight() / 2);
                return;
            }
            // one cell pixel to one device pixel: undo the desktop's scale for the image, and show only the view
            java.awt.Graphics2D g2 = (java.awt.Graphics2D) g.create();
            try {
                double s = size.scale();
                g2.scale(1 / s, 1 / s);
                int x = (int) Math.round(b * s), y = (int) Math.round(b * s), w = viewWidth, h = viewHeight;
                synchronized (image) {
                    g2.drawImage(image, x, y, x + w, y + h, 0, 0, w, h, null);
                }
            } finally {
                g2.dispose();
            }
            // The X toolkit sends drawing to the display server when its buffer fills or its next flush is due (it
            // spaces them out), not when a paint ends: a changed row could wait on the host. Every frame the cell
            // changes is meant to be seen now.
            java.awt.Toolkit.getDefaultToolkit().sync();
            if (paints.incrementAndGet() == 1) {
                io.isola.core.Trace.mark("cell window: first paint");
            }
        }
    }
}
