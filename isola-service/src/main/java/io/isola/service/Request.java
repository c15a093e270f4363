package io.isola.service;

import io.isola.core.Cell;
import io.isola.core.CellSpec;
import io.isola.core.Engine;
import io.isola.core.Stdio;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One client's request while it runs: who asked, the streams they handed over, and the cells started for it, so
 * that the client's Ctrl-C or death kills exactly those.
 */
final class Request {
    final User user;
    final Message message;
    final int[] fds;
    final PrintStream err;
    private final CellTable table;
    private final List<Cell> cells = new CopyOnWriteArrayList<>();
    private final long born = System.nanoTime();
    private final StringBuilder trace = new StringBuilder();
    private volatile String stopped;
    private boolean finished;

    Request(User user, Message message, int[] fds, CellTable table) {
        this.user = user;
        this.message = message;
        this.fds = fds;
        this.table = table;
        this.err = FdOutput.print(fds[2]);
    }

    /** With ISOLA_TRACE set in the daemon's environment: where a request spends its time, one log line each. */
    void mark(String what) {
        trace.append(String.format(" %s +%.1fms", what, (System.nanoTime() - born) / 1e6));
    }

    String trace() {
        return trace.toString();
    }

    Stdio stdio() {
        return Stdio.descriptors(fds[0], fds[1], fds[2]);
    }

    /** {@code engine} as this request uses it: every cell it starts is listed for ps/kill and stopped with it. */
    Engine tracked(Engine engine) {
        return new Engine() {
            @Override
            public String name() {
                return engine.name();
            }

            @Override
            public Cell start(CellSpec spec, Stdio stdio) {
                Cell c = engine.start(spec, stdio);
                track(c, engine.name(), spec.command());
                return c;
            }

            @Override
            public void close() {
                // the daemon's engines outlive requests
            }
        };
    }

    synchronized void track(Cell c, String engine, List<String> command) {
        cells.add(c);
        table.add(c, user, engine, command);
        String why = stopped;
        if (why != null) {
            c.kill(why);
        }
    }

    /** Kills every cell of the request, now and any it would start later. */
    synchronized void stop(String why) {
        if (finished) {
            return;
        }
        stopped = why;
        for (Cell c : cells) {
            c.kill(why);
        }
    }

    boolean stopped() {
        return stopped != null;
    }

    /** The request is over: its cells leave the table (each task closed its own cell already). */
    synchronized void finish() {
        finished = true;
        for (Cell c : cells) {
            table.remove(c);
            c.close(); // idempotent: a task that failed half-way may not have
        }
    }
}
