package io.isola.bench;

import java.io.PrintStream;
import java.util.List;

/**
 * Where the benchmark stands, on its own stream (stderr): a run takes minutes, and a section that fails after 50 s
 * of silence told the user nothing. Stdout carries only the report, so {@code isola bench > file} stays clean.
 *
 * <p>One line per section: its name and number when it starts ("isola bench: cell start (300 runs, interleaved)…
 * 1/8"), completed with its own elapsed time when it ends. A detail printed meanwhile (the vm engine's set-up) gets
 * lines of its own, and then the section's end is a line of its own too.
 */
final class Progress {
    /** One part of the benchmark, as the user sees it named. */
    record Section(String what, Part part) {}

    @FunctionalInterface
    interface Part {
        void run() throws Exception;
    }

    private final PrintStream err;
    private int total;
    private int started;
    private boolean lineOpen;

    Progress(PrintStream err) {
        this.err = err;
    }

    /** How many sections the whole run has, for the "n/total" of each line. */
    void plan(int sections) {
        total = sections;
    }

    void runAll(List<Section> sections) throws Exception {
        for (Section s : sections) {
            run(s);
        }
    }

    /** Runs {@code s}, saying so before and after; a failure is reported on its line and rethrown. */
    void run(Section s) throws Exception {
        started++;
        err.print("isola bench: " + s.what() + "… " + started + "/" + Math.max(total, started));
        err.flush();
        lineOpen = true;
        long t0 = System.nanoTime();
        try {
            s.part().run();
        } catch (Exception | Error e) {
            end(s, String.format("failed after %.1f s: %s", seconds(t0), reason(e)));
            throw e;
        }
        end(s, String.format("done in %.1f s", seconds(t0)));
    }

    /** A line about the section under way, e.g. the vm engine building its image. */
    void detail(String line) {
        closeLine();
        err.println("isola bench:   " + line);
    }

    /** The one-line reason of a failure: its message, or its kind when it has none. */
    static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank()
                ? e.getClass().getSimpleName()
                : m.lines().findFirst().orElse(m);
    }

    private void end(Section s, String how) {
        if (lineOpen) {
            err.println(" " + how);
        } else {
            err.println("isola bench: " + s.what() + " " + how);
        }
        lineOpen = false;
    }

    private void closeLine() {
        if (lineOpen) {
            err.println();
            lineOpen = false;
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
