package io.isola.service;

import io.isola.linux.Libc;
import io.isola.task.WindowPlace;
import java.util.function.BooleanSupplier;

/**
 * A cell's window for a task the service runs: the root service never draws it and never connects to a display.
 * It hands the client that asked (the person's own process, in their session) what it needs to draw it: a
 * descriptor of the screen's folder (a tmpfs mounted nowhere, so the descriptor is the only way to it) and the write
 * end of the cell's input pipe. The client draws the cell's pixels and sends input exactly as a command run in process does; what it
 * says of the window (closed, text copied) comes back on the connection to {@link Request#fromWindow}.
 */
final class ClientWindow implements WindowPlace {
    private final Request request;

    ClientWindow(Request request) {
        this.request = request;
    }

    /** The client asked for a window: it measured its desktop (a display that answers) before it did. */
    @Override
    public boolean available() {
        return true;
    }

    @Override
    public void check() {
        // the client asked for a window because it has a display to show it on; it says so itself when it has not
    }

    /**
     * The client's desktop, as its request says (its process measured it; the task still checks every side), or a
     * 1280×720 window at scale 1 from a client that said nothing.
     */
    @Override
    public Size size() {
        Message m = request.message;
        if (m.get(Protocol.SCREEN_WIDTH) == null) {
            return new Size(1280, 720, 1280, 720, 1);
        }
        try {
            int sw = side(m, Protocol.SCREEN_WIDTH), sh = side(m, Protocol.SCREEN_HEIGHT);
            int w = side(m, Protocol.WIDTH), h = side(m, Protocol.HEIGHT);
            double scale = Double.parseDouble(m.get(Protocol.SCALE));
            if (w > sw || h > sh || !(scale >= 1 && scale <= 4)) {
                throw new NumberFormatException();
            }
            return new Size(sw, sh, w, h, scale);
        } catch (NumberFormatException | NullPointerException e) {
            throw RunRequest.refused("the window's sizes are not a desktop's: screen and window of 64 to 4096 pixels a "
                    + "side, the window within the screen, a scale of 1 to 4");
        }
    }

    private static int side(Message m, String key) {
        int v = Integer.parseInt(m.get(key));
        if (v < 64 || v > 4096) {
            throw new NumberFormatException();
        }
        return v;
    }

    @Override
    public AutoCloseable show(Screen screen, BooleanSupplier running, Events events) {
        request.window(events);
        try {
            Wire.send(
                    request.socket,
                    new Message()
                            .add(Protocol.VERB, Protocol.WINDOW)
                            .add(Protocol.SCREEN_WIDTH, screen.size().screenWidth())
                            .add(Protocol.SCREEN_HEIGHT, screen.size().screenHeight())
                            .add(Protocol.WIDTH, screen.size().width())
                            .add(Protocol.HEIGHT, screen.size().height())
                            .add(Protocol.SCALE, Double.toString(screen.size().scale()))
                            .add(Protocol.LEVEL, screen.level())
                            .add(Protocol.WHAT, screen.what()),
                    screen.folder(),
                    screen.input());
        } catch (RuntimeException e) {
            events.closed("its window could not be handed to your session: " + e.getMessage());
        } finally {
            Libc.close(screen.input()); // the client holds its own copy now
        }
        return () -> request.window(null);
    }
}
