package io.isola.task;

import io.isola.core.CellSpec;
import io.isola.core.Engine;
import io.isola.core.EngineNames;
import io.isola.core.Network;
import io.isola.core.TaskFiles;
import io.isola.core.policy.NetworkAccess;
import io.isola.display.WindowSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One person's viewers started before the click ({@link ReadyViewer}), as the service keeps them: once they opened a
 * PDF in a window, {@link #KEEP} more of exactly that cell (level, viewer, image, environment, limits, no network,
 * window size) wait on displays of their own, and the next PDF they open shows in one of them without waiting for
 * the viewer to start. Only a viewer that reloads its file when signalled can wait like this: mupdf does (SIGHUP).
 * A task whose cell would differ in anything but its file starts its own, as without them.
 */
final class ReadyViewers implements AutoCloseable {
    /** Viewers kept ready per person: two documents opened one after the other both find one (each ~25 MiB). */
    static final int KEEP = 2;
    /** The type a ready viewer shows: its stand-in is a PDF, and mupdf picks how to read a file by its name. */
    static final String TYPE = "application/pdf";
    /** Viewers that reopen their file on SIGHUP, by program name. */
    static final Set<String> RELOAD_ON_HUP = Set.of("mupdf");
    /** The largest file handed to a ready viewer: it is copied onto the cell's disk, where a started cell's is not. */
    static final long MAX_BYTES = 64L << 20;

    /**
     * What a ready viewer is: the cell as a task would start it, its file the stand-in, on a display of {@code size},
     * with the network its level's cells get ({@code spec}'s is none: a task's egress is its request's own, handed to
     * the viewer with the file).
     */
    record Key(String level, NetworkAccess network, CellSpec spec, WindowSize size) {}

    /**
     * A window task that a ready viewer could serve: its cell ({@link Key}), its file, and its network (whose egress
     * the viewer's connections go to once it is the task's).
     *
     * @param dirs where a ready viewer for the next such task makes its folder
     */
    record Ask(Key key, Path file, String name, Network network, TaskDirs dirs) {}

    private final java.util.function.Supplier<Engine> own;
    private final List<ReadyViewer> ready = new ArrayList<>();
    /** Whether viewers are being made ready (one at a time: on two cores, starts slow each other). */
    private boolean filling;

    private boolean closed;

    ReadyViewers(java.util.function.Supplier<Engine> own) {
        this.own = own;
    }

    /**
     * The ask of a task that would run {@code handler} for its input in a window of {@code size} in {@code spec}'s
     * cell, or null where no ready viewer can serve it: another type or viewer, a VM, a file too large to copy or
     * whose name is not one line.
     */
    static Ask ask(TaskContext ctx, Intake it, List<String> handler, CellSpec spec, WindowSize size) {
        if (!TYPE.equals(it.type())
                || handler.size() != 2
                || !RELOAD_ON_HUP.contains(handler.get(0))
                || !"{file}".equals(handler.get(1))
                || !EngineNames.SANDBOX.equals(spec.engine())
                || spec.files().inputs().size() != 1
                || it.input().name().contains("\n")) {
            return null;
        }
        try {
            long bytes = Files.size(it.input().copy());
            if (bytes > MAX_BYTES || bytes > spec.limits().diskBytes() / 2) {
                return null;
            }
        } catch (java.io.IOException e) {
            return null;
        }
        CellSpec standIn = new CellSpec(
                spec.engine(),
                spec.image(),
                Tasks.argv(handler, Map.of("file", ReadyViewer.STAND_IN)),
                spec.env(),
                spec.view(),
                spec.workdir(),
                Network.NONE,
                spec.limits(),
                TaskFiles.NONE);
        NetworkAccess access = ctx.policy().network().access(it.verdict().level());
        return new Ask(
                new Key(it.verdict().level().word(), access, standIn, size),
                it.input().copy(),
                it.input().name(),
                spec.network(),
                ctx.dirs());
    }

    /** A ready viewer of exactly {@code ask}'s cell, taken: never handed out again. Null when none is. */
    ReadyViewer take(Ask ask) {
        List<ReadyViewer> dead = new ArrayList<>();
        ReadyViewer taken = null;
        synchronized (this) {
            for (var i = ready.iterator(); i.hasNext() && taken == null; ) {
                ReadyViewer v = i.next();
                if (!v.running()) {
                    i.remove();
                    dead.add(v);
                } else if (v.key().equals(ask.key())) {
                    i.remove();
                    taken = v;
                }
            }
        }
        dead.forEach(ReadyViewer::close);
        if (taken != null) {
            io.isola.core.Trace.mark("ready viewer taken");
        }
        return taken;
    }

    /**
     * Makes viewers of {@code ask}'s cell ready, {@link Displays#PREPARE_DELAY_MS} from now (not beside the task that
     * asks), until {@link #KEEP} are; ready ones of another cell are ended then (the person's level, policy or
     * desktop changed).
     */
    void keep(Ask ask) {
        Thread.ofVirtual().name("isola-ready-viewer").start(() -> {
            try {
                Thread.sleep(Displays.PREPARE_DELAY_MS);
                fill(ask);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void fill(Ask ask) throws InterruptedException {
        while (true) {
            List<ReadyViewer> unfit = new ArrayList<>();
            boolean enough;
            synchronized (this) {
                if (closed || filling) {
                    return;
                }
                ready.removeIf(v -> !v.key().equals(ask.key()) && unfit.add(v));
                enough = ready.size() >= KEEP;
                filling = !enough;
            }
            unfit.forEach(ReadyViewer::close); // not under the lock: a task taking one does not wait for them
            if (enough) {
                return;
            }
            ReadyViewer v = null;
            try {
                Engine engine = own.get();
                // a display of its own, not a prepared one: taking one would start its replacement beside the next task
                v = ReadyViewer.start(
                        engine, ask.key(), DisplayCell.start(engine, ask.key().size()), ask.dirs());
            } catch (java.io.IOException | RuntimeException e) {
                // the engine closed meanwhile, or the viewer would not start: the next task starts its own
            }
            boolean kept = false;
            synchronized (this) {
                filling = false;
                if (v != null && !closed) {
                    ready.add(v);
                    kept = true;
                }
            }
            if (!kept) {
                if (v != null) {
                    v.close(); // the service stopped while it started
                }
                return;
            }
        }
    }

    /** How many viewers are ready now (for the tests). */
    synchronized int ready() {
        return ready.size();
    }

    /** Ends every ready viewer. */
    @Override
    public void close() {
        List<ReadyViewer> left;
        synchronized (this) {
            closed = true;
            left = new ArrayList<>(ready);
            ready.clear();
        }
        left.forEach(ReadyViewer::close);
    }
}
