package io.isola.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.junit.jupiter.api.Test;

/** {@code --password-file}: PDFs the test encrypts itself with PDFBox, opened in the cell by qpdf with the file. */
class ViewPasswordTest extends WithTasks {
    private static final String POLICY = ViewTaskTest.POLICY;
    private static final String SECRET = "user-s3cret pass";

    private static Path lockedPdf(Path dir, int pages) throws IOException {
        Path pdf = ViewTaskTest.hostilePdf(dir, pages);
        Path locked = dir.resolve("locked.pdf");
        try (PDDocument doc = Loader.loadPDF(pdf.toFile())) {
            StandardProtectionPolicy policy =
                    new StandardProtectionPolicy("owner-secret", SECRET, new AccessPermission());
            policy.setEncryptionKeyLength(256);
            doc.protect(policy);
            doc.save(locked.toFile());
        }
        Files.delete(pdf);
        return locked;
    }

    private static java.util.List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void withoutAPasswordTheViewSaysToGiveOne() throws Exception {
        Path dir = TaskHarness.folder("locked");
        Path locked = lockedPdf(dir, 2);
        var r = h.view(POLICY, locked);
        assertThat(r.code()).as(r.report()).isEqualTo(3);
        assertThat(r.err()).contains("render: this document is encrypted; give --password-file");
        assertThat(names(dir)).containsExactly("locked.pdf");
    }

    @Test
    void withItsPasswordAnEncryptedPdfRendersEveryPage() throws Exception {
        Path dir = TaskHarness.folder("unlocked");
        Path locked = lockedPdf(dir, 3);
        Path secrets = Files.createDirectories(TaskHarness.folder("secrets"));
        Path pw = Files.writeString(secrets.resolve("pw"), SECRET + "\nsecond line ignored\n");
        var r = h.view(POLICY, locked, ViewTask.Options.DEFAULT.withPasswordFile(pw));
        assertThat(r.code()).as(r.report() + r.err()).isZero();
        assertThat(r.report()).contains("3 page(s) -> ");
        ViewFormatsTest.assertPixelsOnly(dir.resolve("locked.safe.pdf"), 3);
        assertThat(String.join("\n", h.auditLines()) + r.report() + r.err()).doesNotContain(SECRET);
    }

    @Test
    void aWrongPasswordIsOneClearLineAndLeavesNothing() throws Exception {
        Path dir = TaskHarness.folder("wrong");
        Path locked = lockedPdf(dir, 2);
        Path secrets = Files.createDirectories(TaskHarness.folder("secrets"));
        Path pw = Files.writeString(secrets.resolve("pw"), "not it\n");
        var r = h.view(POLICY, locked, ViewTask.Options.DEFAULT.withPasswordFile(pw));
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err().strip()).isEqualTo("render: the password in --password-file does not open this document");
        assertThat(r.report()).contains("no safe view was made");
        assertThat(names(dir)).containsExactly("locked.pdf");
    }

    @Test
    void aPasswordFileForAnythingButAPdfIsRefusedBeforeAnyCell() throws Exception {
        Path dir = TaskHarness.folder("pw-text");
        Path txt = Files.writeString(dir.resolve("notes.txt"), "plain text\n");
        Path secrets = Files.createDirectories(TaskHarness.folder("secrets"));
        Path pw = Files.writeString(secrets.resolve("pw"), "x\n");
        var r = h.view(POLICY, txt, ViewTask.Options.DEFAULT.withPasswordFile(pw));
        assertThat(r.code()).as("refused before any cell").isEqualTo(-1);
        assertThat(r.report()).contains("isola: --password-file opens encrypted PDFs; this is text/plain");
        assertThat(names(dir)).containsExactly("notes.txt");
    }
}
