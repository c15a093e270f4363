package io.isola.task;

import io.isola.core.Engine;
import io.isola.core.EngineNames;
import io.isola.display.CellDisplay;
import io.isola.display.WindowSize;

/**
 * Where a window task's display comes from. A command that runs one task starts it when the task asks
 * ({@link #atOnce}). The service keeps, for each user, {@link #KEEP} displays prepared ahead in cells of their sandbox
 * engine at the size their last window had ({@link #preparedAhead}): a double-click then waits for its program alone,
 * not for an X server to start, and so does a second one soon after. A prepared display is handed out once and never
 * shown to a second program; one whose X server died, or of another size, is ended and a new one started.
 */
public final class Displays implements AutoCloseable {
    /**
     * Displays kept prepared per person: two windows opened within a second (two attachments, one after the other)
     * both start on a running X server; each waiting display costs ~10 MiB.
     */
    public static final int KEEP = 2;
    /** What the command line of each process of a viewer kept ready names: its stand-in file (for the benchmark). */
    public static final String READY_VIEWER_FILE = ReadyViewer.STAND_IN;
    /** How many viewers are kept ready per person, once they opened a PDF ({@link ReadyViewers}). */
    public static final int READY_VIEWERS = ReadyViewers.KEEP;
    /**
     * How long a new display waits before it starts beside the task that took the last one: on two cores its X
     * server's start would take a core from that task's program and window while they start.
     */
    static final long PREPARE_DELAY_MS = 1000;
    /** How long a window waits for a display being prepared at its size rather than start one beside it. */
    static final java.time.Duration PREPARING_WAIT = java.time.Duration.ofSeconds(2);

    /** The engine prepared displays start in, asked for at the first window; null: each started at once. */
    private final java.util.function.Supplier<Engine> own;

    /** Prepared displays, all of one size, the oldest first. */
    private final java.util.ArrayDeque<DisplayCell> ready = new java.util.ArrayDeque<>();
    /** The size being prepared, while one is (one at a time: two X servers starting on two cores slow each other). */
    private WindowSize preparing;

    /** The viewers kept running before the click, on displays of these (null: none, as {@link #atOnce}). */
    private final ReadyViewers viewers;

    private boolean closed;

    private Displays(java.util.function.Supplier<Engine> own) {
        this.own = own;
        this.viewers = own == null ? null : new ReadyViewers(own);
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
        DisplayCell d = null;
        java.util.List<DisplayCell> unfit = new java.util.ArrayList<>();
        synchronized (this) {
            // one being prepared at this size is nearly ready: two X servers starting together on two cores would
            // each take longer than one
            long until = System.nanoTime() + PREPARING_WAIT.toNanos();
            while (ready.isEmpty() && size.equals(preparing) && System.nanoTime() < until) {
                try {
                    wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            while (d == null && !ready.isEmpty()) {
                DisplayCell next = ready.poll();
                if (next.display().size().equals(size) && next.running()) {
                    d = next;
                } else {
                    unfit.add(next);
                }
            }
        }
        unfit.forEach(DisplayCell::close);
        if (d != null) {
            io.isola.core.Trace.mark("prepared display taken");
        } else {
            d = DisplayCell.start(own == null ? engine : own.get(), size);
            io.isola.core.Trace.mark("display cell started");
        }
        if (own != null) {
            Thread.ofVirtual().name("isola-display-prepare").start(() -> {
                try {
                    Thread.sleep(PREPARE_DELAY_MS);
                    fill(size);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        return d;
    }

    /**
     * Displays of {@code desktop}'s size prepared now, unless they are ready or being prepared: the person's first
     * windows of a session then start on a running X server too. However often they ask, a person has at most
     * {@link #KEEP}; a display-per-command {@link #atOnce} prepares nothing.
     */
    public void prepare(WindowPlace.Size desktop) {
        fill(desktop.toWindowSize());
    }

    /**
     * Starts displays of {@code size}, one after the other, until {@link #KEEP} are ready. Ready ones of another size
     * are ended first (the desktop changed); while another thread prepares, this one leaves it to it.
     */
    private void fill(WindowSize size) {
        while (true) {
            java.util.List<DisplayCell> unfit = new java.util.ArrayList<>();
            synchronized (this) {
                if (own == null || closed || preparing != null) {
                    return;
                }
                ready.removeIf(d -> !d.display().size().equals(size) && unfit.add(d));
                if (ready.size() >= KEEP) {
                    return;
                }
                preparing = size;
            }
            unfit.forEach(DisplayCell::close);
            DisplayCell d = null;
            boolean kept = false;
            try {
                d = DisplayCell.start(own.get(), size);
            } catch (RuntimeException e) {
                // the engine closed meanwhile, or cannot start a cell now: the next window starts its own
            } finally {
                synchronized (this) {
                    preparing = null;
                    if (d != null && !closed) {
                        ready.add(d);
                        kept = true;
                    }
                    notifyAll();
                }
            }
            if (!kept) {
                if (d != null) {
                    d.close(); // the service stopped while it started
                }
                return;
            }
        }
    }

    /** A viewer already running for exactly {@code ask}'s cell, taken; null when none is (or none are kept). */
    ReadyViewer readyViewer(ReadyViewers.Ask ask) {
        return viewers == null ? null : viewers.take(ask);
    }

    /** After a task {@code ask} was, viewers of its cell are made ready for the next (where they are kept). */
    void keepReady(ReadyViewers.Ask ask) {
        if (viewers != null) {
            viewers.keep(ask);
        }
    }

    /** How many displays are prepared now (for the tests). */
    synchronized int prepared() {
        return ready.size();
    }

    /** Ends every prepared display. */
    @Override
    public void close() {
        if (viewers != null) {
            viewers.close(); // each with its display
        }
        java.util.List<DisplayCell> left;
        synchronized (this) {
            closed = true;
            left = new java.util.ArrayList<>(ready);
            ready.clear();
        }
        left.forEach(DisplayCell::close);
    }
}
