package io.isola.task;

import io.isola.core.Engine;
import io.isola.core.EngineNames;
import io.isola.display.CellDisplay;
import io.isola.display.WindowSize;

/**
 * Where a window task's display comes from. A command that runs one task starts it when the task asks
 * ({@link #atOnce}). The service keeps, for each user, one display prepared ahead in a cell of their sandbox engine
 * at the size their last window had ({@link #preparedAhead}): a double-click then waits for its program alone, not
 * for an X server to start. A prepared display is handed out once and never shown to a second program; one whose X
 * server died, or of another size, is ended and a new one started.
 */
public final class Displays implements AutoCloseable {
    /**
     * How long a new display waits before it starts beside the task that took the last one: on two cores its X
     * server's start would take a core from that task's program and window while they start.
     */
    static final long PREPARE_DELAY_MS = 1000;

    /** The engine prepared displays start in, asked for at the first window; null: each started at once. */
    private final java.util.function.Supplier<Engine> own;

    private DisplayCell ready;
    private boolean closed;

    private Displays(java.util.function.Supplier<Engine> own) {
        this.own = own;
    }

    /** Each display started when its task asks for it, in the task's engine. */
    public static Displays atOnce() {
        return new Displays(null);
    }

    /**
     * After each display taken, another of its size prepared in a cell of {@code engine} (one person's sandbox engine,
     * the service's own: not a request's, whose cells end with it).
     */
    public static Displays preparedAhead(java.util.function.Supplier<Engine> engine) {
        return new Displays(engine);
    }

    /**
     * The display for one program in a cell of {@code engine}: in a cell of its own for a sandbox cell (prepared, or
     * started now), in the program's own cell for a VM, whose guest runs both.
     */
    ProgramDisplay forProgram(Engine engine, WindowSize size) {
        return EngineNames.SANDBOX.equals(engine.name())
                ? take(engine, size)
                : new SharedDisplay(CellDisplay.create(size));
    }

    /** A running display of {@code size} for one program, in a cell of {@code engine} unless one was prepared. */
    DisplayCell take(Engine engine, WindowSize size) {
        DisplayCell d;
        synchronized (this) {
            d = ready;
            ready = null;
        }
        if (d != null && !(d.display().size().equals(size) && d.running())) {
            d.close();
            d = null;
        }
        if (d != null) {
            io.isola.core.Trace.mark("prepared display taken");
        } else {
            d = DisplayCell.start(own == null ? engine : own.get(), size);
            io.isola.core.Trace.mark("display cell started");
        }
        if (own != null) {
            prepareLater(size);
        }
        return d;
    }

    private void prepareLater(WindowSize size) {
        Thread.ofVirtual().name("isola-display-prepare").start(() -> {
            try {
                Thread.sleep(PREPARE_DELAY_MS);
                synchronized (this) {
                    if (closed || ready != null) {
                        return;
                    }
                }
                DisplayCell d = DisplayCell.start(own.get(), size);
                DisplayCell replaced;
                synchronized (this) {
                    if (closed) {
                        replaced = d;
                    } else {
                        replaced = ready;
                        ready = d;
                    }
                }
                if (replaced != null) {
                    replaced.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the engine closed meanwhile, or cannot start a cell now: the next window starts its own
            }
        });
    }

    /** Whether a display is prepared now (for the tests). */
    synchronized boolean prepared() {
        return ready != null;
    }

    /** Ends every prepared display. */
    @Override
    public void close() {
        DisplayCell left;
        synchronized (this) {
            closed = true;
            left = ready;
            ready = null;
        }
        if (left != null) {
            left.close();
        }
    }
}
