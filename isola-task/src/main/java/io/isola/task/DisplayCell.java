package io.isola.task;

import io.isola.core.Cell;
import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Engine;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.Stdio;
import io.isola.display.CellDisplay;
import io.isola.display.WindowSize;
import io.isola.linux.Libc;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A cell's display running in a sandbox cell of its own, so that it can start before the program it will show is
 * known: the X server, which takes 50-150 ms to accept its first client here (most of it its keymap compiler), and
 * the input reader. The program's cell sees the same screen folder, where the X server also makes its socket, and
 * nothing else of this cell. One display serves one program's cell, once: it is never handed to a second.
 *
 * <p>Both are cells of the same engine with the same bounds; the display cell has no network and no file of the
 * task's. A program that takes over its X server gains a cell that holds nothing but the display it already drew.
 */
final class DisplayCell implements ProgramDisplay {
    private final CellDisplay display;
    private final Cell cell;
    private int input;

    private DisplayCell(CellDisplay display, Cell cell, int input) {
        this.display = display;
        this.cell = cell;
        this.input = input;
    }

    /** Starts a display of {@code size} in a cell of {@code engine} (a sandbox engine: the socket is a file). */
    static DisplayCell start(Engine engine, WindowSize size) {
        CellDisplay display = CellDisplay.create(size);
        int[] pipe;
        try {
            pipe = Libc.pipe();
        } catch (RuntimeException e) {
            display.close();
            throw e;
        }
        try {
            CellSpec spec = new CellSpec(
                    engine.name(),
                    "host",
                    display.serverCommand(),
                    CellEnvironment.build(Map.of(), List.of()),
                    display.views(),
                    null,
                    Network.NONE,
                    Limits.DEFAULT);
            Path devNull = Path.of("/dev/null"); // Xvfb says nothing worth keeping; a display that fails shows it
            Cell cell = engine.start(spec, new Stdio(Path.of("/proc/self/fd/" + pipe[0]), devNull, devNull));
            Libc.close(pipe[0]);
            return new DisplayCell(display, cell, pipe[1]);
        } catch (RuntimeException e) {
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
            display.close();
            throw e;
        }
    }

    /** {@code task} as a program on this display: in a cell of its own that sees the screen folder and its socket. */
    @Override
    public CellSpec program(CellSpec task) {
        return ProgramDisplay.onDisplay(task, CellDisplay.clientCommand(task.command()), display.views());
    }

    /** The program reads nothing: its input comes through its X server, whose reader has the pipe. */
    @Override
    public Stdio stdio(Stdio task) {
        return new Stdio(Path.of("/dev/null"), task.out(), task.err());
    }

    @Override
    public CellDisplay display() {
        return display;
    }

    @Override
    public synchronized int takeInput() {
        int fd = input;
        input = -1;
        return fd;
    }

    /** Whether the display still runs: a prepared one whose X server died is not handed out. */
    boolean running() {
        return cell.running();
    }

    /** Ends the display cell and lets go of its screen folder (the window has its own descriptor of it). */
    @Override
    public void close() {
        try {
            cell.kill("its program's cell ended");
            cell.close();
        } finally {
            int fd = takeInput();
            if (fd >= 0) {
                Libc.close(fd);
            }
            display.close();
        }
    }
}
