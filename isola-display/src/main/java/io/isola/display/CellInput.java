package io.isola.display;

import io.isola.linux.Libc;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The input path into a cell: one line per event, in xdotool's command language, written to the pipe the cell's
 * {@code xdotool -} reads. A writer thread of its own does the writing, so a cell that stops reading never blocks
 * the host's window; events that find the queue full are dropped. Every line is built here from numbers and
 * {@link KeySyms}' constants, never from text the user or the cell supplied.
 */
final class CellInput implements AutoCloseable {
    private static final int QUEUE = 1024;
    private static final String END = "\u0000end";

    private final int fd;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(QUEUE);
    private final Thread writer;
    private volatile boolean closed;

    CellInput(int fd) {
        this.fd = fd;
        this.writer = Thread.ofPlatform().daemon().name("isola-cell-input").start(this::pump);
    }

    void mouseMove(int x, int y) {
        offer("mousemove " + x + " " + y);
    }

    void button(int button, boolean down) {
        offer((down ? "mousedown " : "mouseup ") + button);
    }

    void wheel(int clicks) {
        int button = clicks < 0 ? 4 : 5;
        for (int i = 0; i < Math.min(Math.abs(clicks), 10); i++) {
            offer("click " + button);
        }
    }

    void key(String keysym, boolean down) {
        offer((down ? "keydown --delay 0 " : "keyup --delay 0 ") + keysym); // xdotool would wait 12 ms after each
    }

    /** The window now shows {@code width}×{@code height} of the cell's screen: the cell's programs fit in it. */
    void resize(int width, int height) {
        offer("isola-resize " + width + " " + height);
    }

    /** A line the host made itself (the clipboard requests): must never carry a newline. */
    void line(String line) {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("one line only");
        }
        if (closed) { // its input broke (the cell closed its end): said now, not after a wait for an answer
            throw new IllegalStateException("the cell no longer takes input; nothing was sent");
        }
        if (!lines.offer(line)) {
            throw new IllegalStateException("the cell is not reading its input; nothing was sent");
        }
    }

    private void offer(String line) {
        if (!closed) {
            lines.offer(line);
        }
    }

    private void pump() {
        try {
            while (true) {
                String line = lines.take();
                if (line == END) {
                    return;
                }
                Libc.write(fd, (line + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        } catch (InterruptedException | RuntimeException e) {
            // the cell is gone (EPIPE) or the window closed: nothing more goes in
        } finally {
            closed = true;
            Libc.close(fd);
        }
    }

    @Override
    public void close() {
        closed = true;
        lines.clear();
        lines.offer(END);
    }
}
