package io.isola.task;

import io.isola.core.CellSpec;
import io.isola.core.Stdio;
import io.isola.core.ViewEntry;
import io.isola.display.CellDisplay;
import java.util.ArrayList;
import java.util.List;

/**
 * The display a window task's program draws on: in a cell of its own, started ahead where the engine allows
 * ({@link DisplayCell}, the sandbox engine's), or in the program's own cell ({@link SharedDisplay}, a VM's guest).
 * Either way the host sees the same screen folder and writes the same input lines.
 */
sealed interface ProgramDisplay extends AutoCloseable permits DisplayCell, SharedDisplay, ReadyViewer {
    /** The program's cell: {@code task}'s, on this display. */
    CellSpec program(CellSpec task);

    /** The program's cell's standard streams, given the task's. */
    Stdio stdio(Stdio task);

    /** The program's cell has started (what it was handed may be let go of here). */
    default void started() {}

    CellDisplay display();

    /** The write end of the input reader's pipe, handed over once to what draws the window (it closes it). */
    int takeInput();

    /** Ends the display, once the program's cell has ended. */
    @Override
    void close();

    /** {@code task}'s cell running {@code command} instead, with {@code shown} added to its view. */
    static CellSpec onDisplay(CellSpec task, List<String> command, List<ViewEntry> shown) {
        List<ViewEntry> view = new ArrayList<>(task.view());
        view.addAll(shown);
        return new CellSpec(
                task.engine(),
                task.image(),
                command,
                task.env(),
                view,
                task.workdir(),
                task.network(),
                task.limits(),
                task.files());
    }
}
