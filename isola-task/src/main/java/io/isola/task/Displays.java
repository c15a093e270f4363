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
    /** How long a window waits for a display being prepared at its size rather than start one beside it. */
    static final java.time.Duration PREPARING_WAIT = java.time.Duration.ofSeconds(2);

    /** The engine prepared displays start in, asked for at the first window; null: each started at once. */
    private final java.util.function.Supplier<Engine> own;

    private DisplayCell ready;
    private boolean closed, preparing;

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
            // one being prepared (the agent asked as it started, and a click came at once) is nearly ready: two X
            // servers starting together on two cores would each take longer than one
            long until = System.nanoTime() + PREPARING_WAIT.toNanos();
            while (preparing && System.nanoTime() < until) {
                try {
                    wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
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

    /**
     * A display of {@code desktop}'s size prepared now, unless one of that size is ready or being prepared: the
     * person's first window of a session then starts on a running X server too. One at a time per person, however
     * often they ask; a display-per-command {@link #atOnce} prepares nothing.
     */
    public void prepare(WindowPlace.Size desktop) {
        WindowSize size = desktop.toWindowSize();
        synchronized (this) {
            if (own == null
                    || closed
                    || preparing
                    || (ready != null && ready.display().size().equals(size))) {
                return;
            }
            preparing = true;
        }
        DisplayCell d = null;
        try {
            d = DisplayCell.start(own.get(), size);
        } catch (RuntimeException e) {
            // cannot start a cell now: the first window starts its own
        } finally {
            synchronized (this) {
                preparing = false;
                notifyAll();
            }
        }
        if (d != null) {
            publish(d);
        }
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
                publish(DisplayCell.start(own.get(), size));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the engine closed meanwhile, or cannot start a cell now: the next window starts its own
            }
        });
    }

    /** Makes {@code d} the prepared display, ending the one it replaces; ends {@code d} if the service stopped. */
    private void publish(DisplayCell d) {
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
