package io.isola.desktop;

import io.isola.display.CellDisplay;
import io.isola.display.CellWindow;
import io.isola.display.FrameException;
import io.isola.display.WindowLook;
import io.isola.display.WindowSize;
import io.isola.linux.Libc;
import io.isola.service.Message;
import io.isola.service.Protocol;
import io.isola.service.ServiceClient;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws, in this process and so in the person's own session, the windows of cells the service runs for them: the
 * root service hands over a descriptor of a cell's screen folder and its input pipe ({@code window} frames, docs/windows.md) and
 * never touches a display itself. Each window is the same as a command run in process shows: the same strict
 * reading of the cell's screen, the same input, border, title and clipboard. Closing it asks the service to end
 * the cell; the service's reply, when the cell has ended, closes whatever is still shown.
 */
public final class ServiceWindows implements ServiceClient.Interim, AutoCloseable {
    private final ServiceClient client;
    private final PrintStream report;
    private final List<CellWindow> shown = new ArrayList<>();
    private final List<CellDisplay> displays = new ArrayList<>();
    private boolean closed;

    public ServiceWindows(ServiceClient client, PrintStream report) {
        this.client = client;
        this.report = report;
    }

    @Override
    public void on(Message m, int[] fds) {
        io.isola.core.Trace.mark("window frame from the service");
        if (!Protocol.WINDOW.equals(m.get(Protocol.VERB)) || fds.length != 2) {
            for (int fd : fds) {
                Libc.close(fd);
            }
            return;
        }
        WindowSize size;
        try { // the service's word, but a client checks what it draws
            size = new WindowSize(
                    Integer.parseInt(m.get(Protocol.SCREEN_WIDTH)),
                    Integer.parseInt(m.get(Protocol.SCREEN_HEIGHT)),
                    Integer.parseInt(m.get(Protocol.WIDTH)),
                    Integer.parseInt(m.get(Protocol.HEIGHT)),
                    Double.parseDouble(m.get(Protocol.SCALE)));
        } catch (RuntimeException e) {
            Libc.close(fds[0]);
            Libc.close(fds[1]);
            closedBecause("its window's sizes were not ones this client draws: " + e.getMessage());
            return;
        }
        CellDisplay display = CellDisplay.handedOver(fds[0], size);
        synchronized (this) {
            displays.add(display);
        }
        WindowLook look = new WindowLook(m.get(Protocol.LEVEL), m.get(Protocol.WHAT));
        // the desktop toolkit may take a while to show it: the reply must still be read meanwhile
        Thread.ofPlatform().name("isola-window").start(() -> show(display, fds[1], look));
    }

    private void show(CellDisplay display, int input, WindowLook look) {
        try {
            CellWindow window =
                    CellWindow.open(display, input, look, () -> !client.replied(), new CellWindow.Listener() {
                        @Override
                        public void closed(String why) {
                            closedBecause(why);
                        }

                        @Override
                        public void clipboard(String direction, int bytes) {
                            client.send(new Message()
                                    .add(Protocol.VERB, Protocol.CLIPBOARD)
                                    .add(Protocol.DIRECTION, direction)
                                    .add(Protocol.BYTES, bytes));
                        }

                        @Override
                        public void say(String line) {
                            report.println(io.isola.core.TerminalText.escape(line));
                        }
                    });
            synchronized (this) {
                if (!closed) {
                    shown.add(window);
                    return;
                }
            }
            window.close(); // the cell ended while its window opened
        } catch (FrameException e) {
            closedBecause(e.getMessage());
        }
    }

    /**
     * Adds this process's desktop to a window request: the service makes the cell's screen of its size and scale, as
     * it would for a window of its own (it has no display to measure).
     */
    public static Message describeDesktop(Message request) {
        WindowSize d = WindowSize.forDesktop();
        return request.add(Protocol.SCREEN_WIDTH, d.screenWidth())
                .add(Protocol.SCREEN_HEIGHT, d.screenHeight())
                .add(Protocol.WIDTH, d.width())
                .add(Protocol.HEIGHT, d.height())
                .add(Protocol.SCALE, Double.toString(d.scale()));
    }

    private void closedBecause(String why) {
        client.send(new Message().add(Protocol.VERB, Protocol.WINDOW_CLOSED).add(Protocol.REASON, why));
    }

    /** The request is over: its cells have ended, so do their windows. */
    @Override
    public void close() {
        List<CellWindow> windows;
        synchronized (this) {
            closed = true;
            windows = new ArrayList<>(shown);
            shown.clear();
        }
        windows.forEach(CellWindow::close);
        synchronized (this) {
            displays.forEach(CellDisplay::close);
            displays.clear();
        }
    }
}
