package io.isola.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.apache.pdfbox.pdmodel.interactive.action.PDActionJavaScript;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real pipeline minus the cell: poppler's pdftoppm with the flags the cell uses, then SafeView on the host.
 * Skipped where pdftoppm is not installed (Debian: poppler-utils).
 */
class PdftoppmPipelineTest {
    /**
     * The command the cell runs, as documented in docs/safe-view.md. PPM is pdftoppm's default output; poppler 22.12
     * (Debian 12) has no {@code -ppm} option and refuses it with exit code 99.
     */
    static final List<String> PDFTOPPM =
            List.of("pdftoppm", "-r", "100", "-scale-to", String.valueOf(SafeView.PDFTOPPM_LONG_SIDE));

    @TempDir
    Path dir;

    @Test
    void aTwoPagePdfRenderedByPdftoppmIsRebuiltAsARasterOnlyPdf() throws IOException, InterruptedException {
        assumeTrue(onPath("pdftoppm"), "pdftoppm is not installed (apt-get install poppler-utils)");
        Path input = twoPagePdfWithJavaScript();
        Path pages = Files.createDirectory(dir.resolve("pages"));

        run(PDFTOPPM, input.toString(), pages.resolve("page").toString());
        Path clean = dir.resolve("clean.pdf");
        SafeView.rebuild(pages, SafeView.Kind.PDF, clean, SafeView.Limits.DEFAULT, SafeView.PDFTOPPM_DPI);

        try (PDDocument doc = RasterOnlyPdf.check(clean, 2)) {
            // 1650 pixels at 150 dpi: 11 inches, 792 points.
            assertThat(doc.getPage(0).getMediaBox().getHeight()).isEqualTo(792f);
            for (int i = 0; i < 2; i++) {
                PDImageXObject image = RasterOnlyPdf.image(doc.getPage(i));
                // -scale-to makes the long side of A4 that many pixels.
                assertThat(image.getHeight()).isEqualTo(SafeView.PDFTOPPM_LONG_SIDE);
                int a4Width = Math.round(SafeView.PDFTOPPM_LONG_SIDE * 595f / 842f); // A4 is 595 x 842 points
                assertThat(image.getWidth()).isBetween(a4Width - 5, a4Width + 5);
            }
            // The blue square of page 2 (1.5 to 2.5 inches from the top left of A4) is still blue, as pixels. The
            // clean page is 792/842 of A4, so its centre, 2 inches in on A4, is at 135 points.
            BufferedImage page2 = new PDFRenderer(doc).renderImageWithDPI(1, 72, ImageType.RGB);
            assertThat(page2.getRGB(135, 135) & 0xffffff).isEqualTo(0x0000ff);
            assertThat(page2.getRGB(20, 20) & 0xffffff).isEqualTo(0xffffff);
        }
        assertThat(Files.readString(clean, StandardCharsets.ISO_8859_1)).doesNotContain("app.alert");
    }

    @Test
    void aTextRenderedInAFreshJvmIsRebuiltAsAPdf() throws IOException, InterruptedException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n".repeat(100));
        Path pages = Files.createDirectory(dir.resolve("pages"));
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classes = new File(io.isola.view.render.Render.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .getPath())
                .getPath();

        run(
                List.of(java, "-Djava.awt.headless=true", "-cp", classes, "io.isola.view.render.Render", "text"),
                text.toString(),
                pages.toString());
        Path clean = dir.resolve("notes.pdf");
        SafeView.rebuild(pages, SafeView.Kind.PDF, clean, SafeView.Limits.DEFAULT, SafeView.TEXT_DPI);

        try (PDDocument doc = RasterOnlyPdf.check(clean, 2)) {
            // 827 × 1169 pixels at 100 dpi is A4.
            assertThat(doc.getPage(0).getMediaBox().getWidth())
                    .isCloseTo(595.44f, org.assertj.core.data.Offset.offset(0.01f));
        }
    }

    private Path twoPagePdfWithJavaScript() throws IOException {
        Path file = dir.resolve("in.pdf");
        try (PDDocument doc = new PDDocument()) {
            Color[] colours = {Color.RED, Color.BLUE};
            for (Color colour : colours) {
                PDPage page = new PDPage(PDRectangle.A4);
                doc.addPage(page);
                try (PDPageContentStream content = new PDPageContentStream(doc, page)) {
                    content.setNonStrokingColor(colour);
                    content.addRect(108, PDRectangle.A4.getHeight() - 180, 72, 72);
                    content.fill();
                    content.beginText();
                    content.setNonStrokingColor(Color.BLACK);
                    content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 18);
                    content.newLineAtOffset(72, 400);
                    content.showText("Rendered by pdftoppm, rebuilt by Isola");
                    content.endText();
                }
            }
            doc.getDocumentCatalog().setOpenAction(new PDActionJavaScript("app.alert('pwned')"));
            doc.save(file.toFile());
        }
        return file;
    }

    private static void run(List<String> command, String... args) throws IOException, InterruptedException {
        List<String> all = new java.util.ArrayList<>(command);
        all.addAll(List.of(args));
        Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
