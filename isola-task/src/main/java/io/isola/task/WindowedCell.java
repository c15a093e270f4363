package io.isola.task;

import io.isola.core.Cell;
import io.isola.core.audit.AuditEvent;
import io.isola.core.audit.AuditLog;
import io.isola.display.CellWindow;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A program's cell as its window sees it: the window opens while the cell starts, so what the window says (closed,
 * text copied) is applied to the cell once it has started, and a cell still starting counts as running. Why the
 * window closed, if it did, is kept for the run's report.
 */
final class WindowedCell implements WindowPlace.Events {
    private final CompletableFuture<Cell> cell = new CompletableFuture<>();
    private final AtomicReference<String> closedBecause = new AtomicReference<>();
    private final AuditLog audit;
    private final PrintStream report;

    WindowedCell(AuditLog audit, PrintStream report) {
        this.audit = audit;
        this.report = report;
    }

    void started(Cell c) {
        cell.complete(c);
    }

    void failed(Throwable e) {
        cell.completeExceptionally(e);
    }

    /** Still starting, or started and not yet ended. */
    boolean running() {
        return !cell.isDone()
                || (!cell.isCompletedExceptionally() && cell.join().running());
    }

    /** Why the window ended the cell, or null when the program ended by itself. */
    String closedBecause() {
        return closedBecause.get();
    }

    @Override
    public void closed(String reason) {
        closedBecause.set(reason);
        cell.thenAccept(c -> {
            if (CellWindow.CLOSED_BY_USER.equals(reason)) {
                c.stop(reason); // what the program saved still comes out
            } else {
                c.kill(reason); // its screen broke a bound: the cell is hostile
            }
        });
    }

    @Override
    public void clipboard(String direction, int bytes) {
        cell.thenAccept(
                c -> audit.record(AuditEvent.of("clipboard.copied", c.id(), "direction", direction, "bytes", bytes)));
    }

    @Override
    public void say(String line) {
        report.println(io.isola.core.TerminalText.escape(line));
    }
}
