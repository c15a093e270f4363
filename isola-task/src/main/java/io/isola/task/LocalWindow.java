package io.isola.task;

import io.isola.display.CellDisplay;
import io.isola.display.CellWindow;
import io.isola.display.FrameException;
import io.isola.display.WindowLook;
import io.isola.linux.Libc;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** A cell's window drawn by this process, on the display of the session it runs in. */
final class LocalWindow implements WindowPlace {
    private final Consumer<CellWindow> shown;

    LocalWindow() {
        this(w -> {});
    }

    /** {@code shown} also gets the window once it is up (the benchmark counts its frames). */
    LocalWindow(Consumer<CellWindow> shown) {
        this.shown = shown;
    }

    @Override
    public void check() {
        CellWindow.checkDisplay();
    }

    @Override
    public Size size() {
        return Size.of(io.isola.display.WindowSize.forDesktop());
    }

    @Override
    public boolean available() {
        String d = System.getenv("DISPLAY");
        if (d == null || d.isBlank() || java.awt.GraphicsEnvironment.isHeadless() || !CellWindow.answers(d)) {
            return false;
        }
        try {
            size();
            return true;
        } catch (io.isola.core.IsolaException e) { // DISPLAY names a server that does not answer
            return false;
        }
    }

    @Override
    public AutoCloseable show(Screen screen, BooleanSupplier running, Events events) throws InterruptedException {
        // a view of the display of its own, closed with the window (the task closes the display itself)
        CellDisplay display = CellDisplay.handedOver(
                Libc.dupCloexec(screen.folder()), screen.size().toWindowSize());
        try {
            CellWindow window = CellWindow.open(
                    display,
                    screen.input(),
                    new WindowLook(screen.level(), screen.what()),
                    running,
                    new CellWindow.Listener() {
                        @Override
                        public void closed(String reason) {
                            events.closed(reason);
                        }

                        @Override
                        public void clipboard(String direction, int bytes) {
                            events.clipboard(direction, bytes);
                        }

                        @Override
                        public void say(String line) {
                            events.say(line);
                        }
                    });
            shown.accept(window);
            io.isola.core.Trace.mark("cell window shown");
            return () -> {
                window.close();
                display.close();
            };
        } catch (FrameException e) {
            display.close();
            events.closed(e.getMessage());
            return () -> {};
        }
    }
}
