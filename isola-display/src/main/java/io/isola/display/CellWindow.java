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
import java.util.function.Consumer;
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
 */
public final class CellWindow implements AutoCloseable {
    /** How often an idle window looks at the cell's screen, and how often just after input. */
    /** Why a window ended when the user closed it: not an error. */
    public static final String CLOSED_BY_USER = "the window was closed";

    static final long IDLE_POLL_MS = 16, BUSY_POLL_MS = 3, BUSY_FOR_MS = 300;

    private final CellFrames frames;
    private final CellInput input;
    private final Consumer<String> onClose;
    private final BufferedImage image;
    private final int[] shown;
    private final Set<Integer> held = new HashSet<>();
    private final JFrame frame;
    private final Screen screen;
    private final Thread sampler;
    private volatile boolean closed;
    private volatile long busyUntil;
    private volatile long firstFrameNanos;

    private CellWindow(CellFrames frames, int inputFd, WindowLook look, Consumer<String> onClose) {
        this.frames = frames;
        this.input = new CellInput(inputFd);
        this.onClose = onClose;
        this.image = new BufferedImage(frames.width(), frames.height(), BufferedImage.TYPE_INT_RGB);
        this.shown = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
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
        frame.setResizable(false); // the cell's screen has the size it was started with
        frame.pack();
        frame.setLocationByPlatform(true);
        this.sampler = Thread.ofPlatform().daemon().name("isola-cell-frames").unstarted(this::sample);
    }

    /**
     * Opens the window for a cell whose display is {@code frames}, writing its input events to {@code inputFd}
     * (which the window then owns).
     */
    public static CellWindow show(CellFrames frames, int inputFd, WindowLook look, Consumer<String> onClose) {
        CellWindow[] w = new CellWindow[1];
        try {
            SwingUtilities.invokeAndWait(() -> {
                w[0] = new CellWindow(frames, inputFd, look, onClose);
                w[0].frame.setVisible(true);
                w[0].screen.requestFocusInWindow();
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FrameException("the window could not be opened: interrupted");
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new FrameException(
                    "the window could not be opened: " + e.getCause().getMessage());
        }
        w[0].sampler.start();
        return w[0];
    }

    /** When the first frame of the cell was drawn (System.nanoTime), or 0 before. */
    public long firstFrameNanos() {
        return firstFrameNanos;
    }

    public boolean isOpen() {
        return !closed;
    }

    private void sample() {
        try {
            while (!closed) {
                CellFrames.Rows rows = frames.read();
                if (rows != null) {
                    int w = frames.width(), from = rows.first() * w, to = (rows.last() + 1) * w;
                    synchronized (image) {
                        System.arraycopy(frames.pixels(), from, shown, from, to - from);
                    }
                    if (firstFrameNanos == 0) {
                        firstFrameNanos = System.nanoTime();
                    }
                    int b = WindowLook.BORDER;
                    screen.repaint(b, b + rows.first(), w, rows.last() - rows.first() + 1);
                }
                Thread.sleep(System.currentTimeMillis() < busyUntil ? BUSY_POLL_MS : IDLE_POLL_MS);
            }
        } catch (FrameException e) {
            end(e.getMessage());
        } catch (InterruptedException | RuntimeException e) {
            end("its screen could not be read: " + e.getMessage());
        }
    }

    private void end(String why) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        input.close();
        SwingUtilities.invokeLater(frame::dispose);
        onClose.accept(why);
    }

    /** Closes the window because the cell ended (no message: the task reports how it ended). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        input.close();
        sampler.interrupt();
        try {
            sampler.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        frames.close();
        SwingUtilities.invokeLater(frame::dispose);
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
            setPreferredSize(new Dimension(frames.width() + 2 * b, frames.height() + 2 * b));
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
            int x = Math.clamp(e.getX() - b, 0, frames.width() - 1),
                    y = Math.clamp(e.getY() - b, 0, frames.height() - 1);
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
            if (sym == null || (!down && !held.contains(e.getKeyCode()))) {
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
            synchronized (image) {
                g.drawImage(image, b, b, null);
            }
        }
    }
}
