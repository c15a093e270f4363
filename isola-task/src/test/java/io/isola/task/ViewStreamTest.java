package io.isola.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A PDF's pages leave a sandbox cell through its standard output while it renders: a compromised renderer writes what
 * it likes there, and the host must hold the same bounds as for page files, stop the cell at the first refusal (not
 * wait for its time limit) and leave nothing.
 */
class ViewStreamTest extends WithTasks {
    private static final String POLICY = ViewTaskTest.POLICY;

    /** A renderer script that the view takes for a streaming one ({@code stream=1} before a {@code pages()}). */
    private TaskHarness.Result streaming(String script, ViewTask.Options options) throws IOException {
        Path dir = TaskHarness.folder("stream");
        Path pdf = Files.writeString(dir.resolve("tiny.pdf"), "%PDF-1.4\n%%EOF\n");
        Renderers evil = new Renderers(
                List.of("/bin/sh", "-c", "pages() { :; }\n" + script),
                io.isola.view.SafeView.Kind.PDF,
                io.isola.view.SafeView.PDFTOPPM_DPI,
                null);
        var r = h.run(POLICY, (ctx, stdio) -> new ViewTask(ctx, (type, input) -> evil).run(pdf, options, stdio));
        try (var s = Files.list(dir)) {
            if (r.code() != 0) {
                assertThat(s.map(p -> p.getFileName().toString()).toList())
                        .as("nothing beside the document")
                        .containsExactly("tiny.pdf");
            }
        }
        return r;
    }

    private static String page(int w, int h) {
        return "printf 'P6\\n" + w + " " + h + "\\n255\\n'; head -c " + 3 * w * h + " /dev/zero; ";
    }

    @Test
    void pagesThatStreamOutBecomeTheSafePdf() throws IOException {
        var r = streaming(page(20, 30) + page(30, 20) + page(5, 5), ViewTask.Options.DEFAULT);
        assertThat(r.code()).as(r.report() + r.err()).isZero();
        assertThat(r.report()).contains("3 page(s) -> ");
    }

    @Test
    void anEndlessOversizedPageIsRefusedAtItsHeaderAndTheCellIsStopped() throws IOException {
        long t0 = System.nanoTime();
        var r = streaming("printf 'P6\\n99999 99999\\n255\\n'; cat /dev/zero", ViewTask.Options.DEFAULT);
        assertThat(r.code()).isNotZero();
        assertThat(r.report()).contains("page 1 is not a valid P6 PPM", "no safe view was made");
        assertThat((System.nanoTime() - t0) / 1_000_000_000)
                .as("seconds, not the cell's time limit")
                .isLessThan(20);
    }

    @Test
    void aPageCutShortOrGarbageBetweenPagesIsRefused() throws IOException {
        var cut = streaming(
                page(20, 30) + "printf 'P6\\n20 30\\n255\\n'; head -c 100 /dev/zero", ViewTask.Options.DEFAULT);
        assertThat(cut.code()).isNotZero();
        assertThat(cut.report()).contains("page 2", "truncated", "no safe view was made");
        var garbage = streaming(page(20, 30) + "echo trailing words", ViewTask.Options.DEFAULT);
        assertThat(garbage.code()).isNotZero();
        assertThat(garbage.report()).contains("page 2 is not a valid P6 PPM", "no safe view was made");
    }

    @Test
    void moreStreamedPagesThanMaxPagesAreRefused() throws IOException {
        var r = streaming(
                page(4, 4) + page(4, 4) + page(4, 4), new ViewTask.Options(null, false, 2, ViewTask.Quality.NORMAL));
        assertThat(r.code()).isNotZero();
        assertThat(r.report()).contains("more than 2 pages", "no safe view was made");
    }

    @Test
    void aStreamingRendererMayLeaveNoFiles() throws IOException {
        var r = streaming(page(4, 4) + "printf x > /out/page-1.ppm", ViewTask.Options.DEFAULT);
        assertThat(r.code()).isNotZero();
        assertThat(r.report()).contains("no safe view was made");
    }
}
