package io.isola.task;

import io.isola.core.IsolaException;
import io.isola.core.Stdio;
import io.isola.linux.Libc;
import io.isola.view.SafeView;
import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Pages that leave the render cell through a pipe, its standard output, as pdftoppm writes them, instead of as files
 * collected after it ended: the host reads, checks and compresses each page while the cell renders the next, and no
 * page is ever copied to disk. What comes through is parsed as strictly as page files are ({@link SafeView#rebuild(
 * InputStream, Path, SafeView.Limits, int)}); the renderer's messages still go to its standard error.
 */
final class PageStream implements AutoCloseable {
    private final InputStream in;
    private int writeEnd;
    private int pages;
    /** Why the host stopped reading before the stream ended (the cell's bytes were refused), or null. */
    private IsolaException refused;
    /** Why no PDF came of a stream that ended, or null. */
    private IsolaException failed;

    PageStream() {
        int[] fds = Libc.pipe(); // both ends close-on-exec: no other program this process starts inherits them
        try {
            // opened while this process still holds the write end, so the open cannot wait for a writer
            in = new BufferedInputStream(new FileInputStream("/proc/self/fd/" + fds[0]), 1 << 16);
        } catch (IOException e) {
            Libc.close(fds[0]);
            Libc.close(fds[1]);
            throw new IsolaException("cannot make a pipe for the rendered pages: " + e.getMessage());
        }
        Libc.close(fds[0]);
        writeEnd = fds[1];
    }

    /** The cell's standard streams: {@code stdio}'s, with the pages' pipe as its output. */
    Stdio stdio(Stdio stdio) {
        return new Stdio(stdio.in(), Stdio.descriptors(-1, writeEnd, -1).out(), stdio.err());
    }

    /**
     * Once the cell runs (it holds its own copy of the write end): builds {@code target} from what arrives, until the
     * cell closes its output. A refusal closes the pipe, which stops the renderer.
     */
    void receive(Path target, SafeView.Limits limits, int dpi) {
        closeWriteEnd();
        try {
            pages = SafeView.rebuild(in, target, limits, dpi);
        } catch (IsolaException e) {
            boolean ended;
            try {
                ended = in.read() < 0; // waits for the cell's next byte or its end
            } catch (IOException unreadable) {
                ended = false;
            }
            if (ended) {
                failed = e;
            } else {
                refused = e;
            }
        } finally {
            close();
        }
    }

    int pages() {
        return pages;
    }

    /** The host refused what the cell sent (and stopped it): this, not the cell's exit, is what went wrong. */
    IsolaException refused() {
        return refused;
    }

    /** The stream ended without a PDF (no pages, or cut inside one), or null. */
    IsolaException failed() {
        return failed;
    }

    private void closeWriteEnd() {
        if (writeEnd >= 0) {
            Libc.close(writeEnd);
            writeEnd = -1;
        }
    }

    @Override
    public void close() {
        closeWriteEnd();
        try {
            in.close();
        } catch (IOException ignored) {
            // a pipe's read end: nothing to flush
        }
    }
}
