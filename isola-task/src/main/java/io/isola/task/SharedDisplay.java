package io.isola.task;

import io.isola.core.CellSpec;
import io.isola.core.Stdio;
import io.isola.display.CellDisplay;
import io.isola.linux.Libc;
import java.nio.file.Path;
import java.util.List;

/**
 * The display and the program in one cell: the vm engine's, whose guest runs both (a socket cannot cross into a VM,
 * and a second VM for a display would cost seconds). The input reader reads the program cell's standard input.
 */
final class SharedDisplay implements ProgramDisplay {
    private final CellDisplay display;
    private final int[] pipe;

    /** Takes {@code display} over. */
    SharedDisplay(CellDisplay display) {
        try {
            this.pipe = Libc.pipe();
        } catch (RuntimeException e) {
            display.close();
            throw e;
        }
        this.display = display;
    }

    @Override
    public CellSpec program(CellSpec task) {
        return ProgramDisplay.onDisplay(task, display.wrap(task.command()), List.of(display.view()));
    }

    @Override
    public Stdio stdio(Stdio task) {
        return new Stdio(Path.of("/proc/self/fd/" + pipe[0]), task.out(), task.err());
    }

    @Override
    public synchronized void started() {
        Libc.close(pipe[0]);
        pipe[0] = -1;
    }

    @Override
    public CellDisplay display() {
        return display;
    }

    @Override
    public synchronized int takeInput() {
        int fd = pipe[1];
        pipe[1] = -1;
        return fd;
    }

    @Override
    public synchronized void close() {
        for (int i = 0; i < 2; i++) {
            if (pipe[i] >= 0) {
                Libc.close(pipe[i]);
                pipe[i] = -1;
            }
        }
        display.close();
    }
}
