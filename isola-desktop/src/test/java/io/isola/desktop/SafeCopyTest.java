package io.isola.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The clean copy a safe view names in its report is what the Safe view action shows; nothing else is. */
class SafeCopyTest {
    @Test
    void theCleanPdfIsTakenFromTheSafeViewsReport() {
        assertThat(DesktopOpen.safeCopy(List.of(
                        "isola: notes.txt is text/plain, untrusted: no rule matches",
                        "isola: 2 page(s) -> /home/me/My Notes.safe.pdf (trusted: rebuilt from pixels in cell c1)")))
                .isEqualTo(Path.of("/home/me/My Notes.safe.pdf"));
    }

    @Test
    void aReportWithoutACleanPdfShowsNothing() {
        assertThat(DesktopOpen.safeCopy(List.of("isola: notes.txt: this type is not rendered")))
                .isNull();
        assertThat(DesktopOpen.safeCopy(List.of("isola: 1 page(s) -> relative.pdf (trusted: x)")))
                .isNull();
    }
}
