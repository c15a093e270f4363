package io.isola.task;

import io.isola.core.Cell;
import io.isola.core.CellSpec;
import io.isola.core.Egress;
import io.isola.core.Engine;
import io.isola.core.Network;
import io.isola.core.Stdio;
import io.isola.core.TaskFiles;
import io.isola.core.policy.NetworkAccess;
import io.isola.display.CellDisplay;
import io.isola.display.CellFrames;
import io.isola.display.FrameException;
import io.isola.linux.Libc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A viewer started before the click: the level's viewer for a type, already running in a cell of its own on a
 * display prepared for it, showing a stand-in page (dark, so that nothing looks like a document) until a task hands
 * it its file. The viewer then reloads (mupdf does on SIGHUP) and shows the file some 25 ms later, where a viewer
 * started for the task shows it after its own start, 60-100 ms. One ready viewer serves one task, once: the cell that
 * showed a document is never handed a second.
 *
 * <p>The file goes in as a started cell's files would: the cell's own script reads its name and bytes from standard
 * input (a pipe only the service writes, once) into {@code /in/NAME}, on the cell's disk within its limits, points
 * the stand-in's path at it ({@link #SCRIPT}) and signals the viewer; its standard output and error, a pipe until
 * then, are relayed to the task's streams from then on (what the viewer said about the stand-in goes nowhere).
 */
final class ReadyViewer implements ProgramDisplay {
    /** The stand-in's path in the cell: the path the viewer was started on, and reopens when signalled. */
    static final String STAND_IN = "/tmp/.isola-ready/document.pdf";
    /**
     * The stand-in page's colour, which says the viewer is up and waits (its signal handler set: mupdf sets it after
     * its first page).
     */
    static final int STAND_IN_RGB = 0x333333;

    /** Where the stand-in's page is, beside the path the viewer opens. */
    private static final String STAND_IN_PAGE = "/tmp/.isola-ready/stand-in.pdf";

    /**
     * Once the display is there: the stand-in, the viewer on it in the background, then (once the file's name and
     * bytes come) the file at {@code /in/NAME}, the stand-in's path pointing at it, SIGHUP. A stdin closed without a
     * name is a ready viewer no task took: it ends. The cell's end is the viewer's.
     *
     * <p>The stand-in's path is a link to the script's own descriptor 9 ({@code /proc/PID/fd/9}), which it opens on
     * the stand-in's page and then on the file: the viewer reopens what that descriptor is when it reopens its path.
     * So the hand-over runs one program (cat), where pointing a link at the file took a second (ln: ~6 ms here,
     * between the click and the page).
     */
    private static final String SCRIPT = String.join(
            "\n",
            "mkdir -p /tmp/.isola-ready && printf '%s' '" + StandIn.PDF + "' > " + STAND_IN_PAGE + " || exit 125",
            "exec 9< " + STAND_IN_PAGE,
            "ln -s /proc/$$/fd/9 " + STAND_IN + " || exit 125",
            "\"$@\" </dev/null 9<&- &",
            "viewer=$!",
            "IFS= read -r name || { kill $viewer; wait $viewer; exit 0; }",
            "cat > \"/in/$name\" && exec 9< \"/in/$name\" && kill -HUP $viewer || { kill $viewer; exit 125; }",
            "wait $viewer");

    private final ReadyViewers.Key key;
    private final DisplayCell display;
    private final Cell cell;
    private final Path inDir;
    private final Relay out, err;
    /** Where the viewer's connections go: nowhere until it is a task's, then to the task's egress. */
    private final HandedEgress egress;
    /** The write end of the script's standard input, until the file went in. */
    private int fileIn;

    private ReadyViewer(
            ReadyViewers.Key key,
            DisplayCell display,
            Cell cell,
            Path inDir,
            int fileIn,
            Relay out,
            Relay err,
            HandedEgress egress) {
        this.egress = egress;
        this.key = key;
        this.display = display;
        this.cell = cell;
        this.inDir = inDir;
        this.fileIn = fileIn;
        this.out = out;
        this.err = err;
    }

    /**
     * Starts the viewer of {@code key} on {@code display} (which it owns from here) in a cell of {@code engine}, with
     * an empty {@code /in} (a folder made in {@code dirs}), and returns once its stand-in page shows.
     *
     * @throws RuntimeException when it cannot start, or does not show the stand-in within 20 s (all is ended then)
     */
    static ReadyViewer start(Engine engine, ReadyViewers.Key key, DisplayCell display, TaskDirs dirs)
            throws IOException, InterruptedException {
        Path inDir;
        int[] in, o, e;
        Cell cell;
        try {
            inDir = dirs.create("ready" + Tasks.newId());
            // the cell's user reads it (its /in is this folder, copy-on-write)
            Files.setPosixFilePermissions(inDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException | RuntimeException x) {
            display.close();
            throw x;
        }
        in = Libc.pipe();
        o = Libc.pipe();
        e = Libc.pipe();
        HandedEgress egress = new HandedEgress();
        try {
            CellSpec spec = ProgramDisplay.onDisplay(
                    withFiles(
                            key.spec(),
                            inDir,
                            key.network() == NetworkAccess.NONE ? Network.NONE : Network.through(egress)),
                    CellDisplay.clientCommand(SCRIPT, key.spec().command()),
                    display.display().views());
            cell = engine.start(spec, Stdio.descriptors(in[0], o[1], e[1]));
        } catch (RuntimeException x) {
            for (int fd : new int[] {in[0], in[1], o[0], o[1], e[0], e[1]}) {
                Libc.close(fd);
            }
            display.close();
            TaskDirs.delete(inDir);
            throw x;
        }
        for (int fd : new int[] {in[0], o[1], e[1]}) { // the cell's ends: its processes have them
            Libc.close(fd);
        }
        ReadyViewer v = new ReadyViewer(key, display, cell, inDir, in[1], new Relay(o[0]), new Relay(e[0]), egress);
        try {
            v.awaitStandIn();
            return v;
        } catch (InterruptedException | RuntimeException x) {
            v.close();
            throw x;
        }
    }

    /** {@code spec}'s cell on {@code network}, with an empty {@code /in} (the folder {@code inDir}) and its {@code /out}. */
    private static CellSpec withFiles(CellSpec spec, Path inDir, Network network) {
        return new CellSpec(
                spec.engine(),
                spec.image(),
                spec.command(),
                spec.env(),
                spec.view(),
                spec.workdir(),
                network,
                spec.limits(),
                new TaskFiles(List.of(new TaskFiles.Input(inDir, Intake.IN)), Intake.OUT));
    }

    /** Waits until the cell's screen shows the stand-in page: the viewer is up and will reload when signalled. */
    private void awaitStandIn() throws InterruptedException {
        CellDisplay d = display.display();
        long deadline = System.nanoTime() + CellDisplay.START_TIMEOUT.toNanos();
        try (CellFrames frames =
                CellFrames.open(d.screenFile(), d.width(), d.height(), CellDisplay.START_TIMEOUT, this::running)) {
            while (true) {
                frames.read();
                for (int p : frames.pixels()) {
                    if (p == STAND_IN_RGB) {
                        return;
                    }
                }
                if (!running() || System.nanoTime() > deadline) {
                    throw new FrameException("the ready viewer did not show its stand-in page");
                }
                Thread.sleep(20);
            }
        }
    }

    ReadyViewers.Key key() {
        return key;
    }

    /** Whether its viewer and display still run (one that died is not handed out). */
    boolean running() {
        return cell.running() && display.running();
    }

    /**
     * Hands the task's file in: {@code name} (a file name, as {@code /in/NAME} of a started cell) with the bytes of
     * {@code file}; relays what the viewer says from now on to {@code stdio}, and its connections to {@code network}'s
     * egress (the task's). Returns the cell, now the task's.
     */
    synchronized Cell handOver(Path file, String name, Stdio stdio, Network network) {
        int fd = fileIn;
        fileIn = -1;
        if (fd < 0) {
            throw new IllegalStateException("a ready viewer is handed one file, once");
        }
        egress.to(network.egress());
        out.to(stdio.out());
        err.to(stdio.err());
        try (InputStream bytes = Files.newInputStream(file)) {
            Libc.write(fd, (name + "\n").getBytes(StandardCharsets.UTF_8));
            byte[] buf = new byte[1 << 16];
            for (int n; (n = bytes.read(buf)) > 0; ) {
                Libc.write(fd, n == buf.length ? buf : java.util.Arrays.copyOf(buf, n));
            }
        } catch (IOException | RuntimeException e) {
            // the cell ended meanwhile, or would not take the file (its disk is full): its end says so
            cell.kill("its file could not be handed to it: " + e.getMessage());
        } finally {
            Libc.close(fd);
        }
        io.isola.core.Trace.mark("file handed to the ready viewer");
        return cell;
    }

    @Override
    public CellSpec program(CellSpec task) {
        throw new IllegalStateException("a ready viewer's program already runs: hand it its file");
    }

    @Override
    public Stdio stdio(Stdio task) {
        throw new IllegalStateException("a ready viewer's program already runs: hand it its file");
    }

    @Override
    public CellDisplay display() {
        return display.display();
    }

    @Override
    public int takeInput() {
        return display.takeInput();
    }

    /** Ends the viewer's cell (a task closed it already), its display and its {@code /in} folder. */
    @Override
    public void close() {
        try {
            synchronized (this) {
                if (fileIn >= 0) {
                    Libc.close(fileIn);
                    fileIn = -1;
                }
            }
            cell.kill("its ready viewer was ended");
            cell.close();
        } finally {
            display.close(); // the relays end with the cell, whose ends of their pipes are gone now
            TaskDirs.delete(inDir);
        }
    }

    /**
     * One of the viewer's output pipes, read to its end (the cell's): dropped until the task takes the viewer, then
     * written to the task's stream as it is (a terminal's, say), through a descriptor of its own.
     */
    private static final class Relay {
        private final int from;
        private int to = -1;
        private boolean ended;

        Relay(int from) {
            this.from = from;
            Thread.ofPlatform().daemon().name("isola-ready-relay").start(this::run);
        }

        /** From now on, to {@code stream} (a descriptor the task holds; another kind of path: nowhere). */
        synchronized void to(Path stream) {
            int fd = Stdio.descriptor(stream);
            if (!ended && fd >= 0) {
                to = Libc.dupCloexec(fd);
            }
        }

        private void run() {
            try {
                for (byte[] b; (b = Libc.read(from, 1 << 16)).length > 0; ) {
                    write(b);
                }
            } catch (RuntimeException e) {
                // the pipe broke: nothing more comes
            } finally {
                Libc.close(from);
                synchronized (this) {
                    ended = true;
                    if (to >= 0) {
                        Libc.close(to);
                        to = -1;
                    }
                }
            }
        }

        private synchronized void write(byte[] b) {
            if (to >= 0) {
                try {
                    Libc.write(to, b);
                } catch (RuntimeException e) {
                    // the task's reader went away: the rest is dropped, as a closed terminal would drop it
                }
            }
        }
    }

    /** An egress handed over late: connections are closed until the viewer is a task's, then go to the task's egress. */
    private static final class HandedEgress implements Egress {
        private volatile Egress to;

        void to(Egress egress) {
            to = egress;
        }

        @Override
        public void accept(String cellId, Connection connection) {
            Egress e = to;
            if (e != null) {
                e.accept(cellId, connection);
                return;
            }
            try {
                connection.close();
            } catch (IOException ignored) {
                // closed either way
            }
        }
    }

    /**
     * The stand-in: one Letter page filled with {@link #STAND_IN_RGB} (0.2 grey), no text, no font. Written by the
     * cell's script from a shell string: no quote in it.
     */
    static final class StandIn {
        static final String PDF = build();

        private StandIn() {}

        private static String build() {
            String content = "0.2 g 0 0 612 792 re f";
            List<String> objects = List.of(
                    "<< /Type /Catalog /Pages 2 0 R >>",
                    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                    "<< /Length " + content.length() + " >>\nstream\n" + content + "\nendstream");
            StringBuilder pdf = new StringBuilder("%PDF-1.4\n");
            StringBuilder xref = new StringBuilder("xref\n0 " + (objects.size() + 1) + "\n0000000000 65535 f \n");
            for (int i = 0; i < objects.size(); i++) {
                xref.append(String.format("%010d 00000 n \n", pdf.length()));
                pdf.append(i + 1).append(" 0 obj\n").append(objects.get(i)).append("\nendobj\n");
            }
            int at = pdf.length();
            return pdf.append(xref)
                    .append("trailer\n<< /Size ")
                    .append(objects.size() + 1)
                    .append(" /Root 1 0 R >>\nstartxref\n")
                    .append(at)
                    .append("\n%%EOF\n")
                    .toString();
        }
    }
}
