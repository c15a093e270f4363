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
    private volatile io.isola.task.WindowPlace.Events window;
    private boolean finished;
    /** The connection: the daemon sends a window's frame on it while the request runs. */
    final int socket;

    Request(User user, Message message, int[] fds, CellTable table, int socket) {
        this.user = user;
        this.message = message;
        this.fds = fds;
        this.table = table;
        this.socket = socket;
        this.err = io.isola.linux.FdOutput.print(fds[2]);
    }

    /** The task's window, shown by the client: what the client says of it goes there. */
    void window(io.isola.task.WindowPlace.Events events) {
        this.window = events;
    }

    /**
     * What the client said of its window: closed (its words are the person's own process's, so they are kept short
     * and plain), or text copied across. Without a window shown there is nothing to say it of.
     */
    void fromWindow(Message m) {
        io.isola.task.WindowPlace.Events w = window;
        if (w == null) {
            return;
        }
        if (Protocol.WINDOW_CLOSED.equals(m.get(Protocol.VERB))) {
            String reason = m.get(Protocol.REASON);
            reason = reason == null ? "the window was closed" : reason;
            w.closed(io.isola.core.TerminalText.escape(reason.length() > 300 ? reason.substring(0, 300) : reason));
        } else if (Protocol.CLIPBOARD.equals(m.get(Protocol.VERB))) {
            String direction = "in".equals(m.get(Protocol.DIRECTION)) ? "in" : "out";
            try {
                w.clipboard(direction, Integer.parseInt(m.get(Protocol.BYTES)));
            } catch (NumberFormatException e) {
                // not a count: nothing to audit
            }
        }
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
            public Cell adopt(Cell cell, CellSpec spec) {
                track(cell, engine.name(), spec.command());
                return cell;
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
