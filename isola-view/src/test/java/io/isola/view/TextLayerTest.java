package io.isola.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OCR text layer CleanPdf writes: found by text extraction, never seen, and unable to be anything but text. */
class TextLayerTest {
    @TempDir
    Path dir;

    @Test
    void wordsAreExtractableInvisibleAndCannotBreakOutOfTheirStrings() throws IOException {
        BufferedImage white = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 300; y++) {
            for (int x = 0; x < 400; x++) {
                white.setRGB(x, y, 0xffffff);
            }
        }
        List<OcrWords.Word> words = List.of(
                new OcrWords.Word(10, 20, 120, 30, "Quarterly"),
                new OcrWords.Word(140, 20, 100, 30, "Übersicht"),
                new OcrWords.Word(10, 80, 300, 30, ") Tj /JavaScript (app.alert(1)) >> endobj"),
                new OcrWords.Word(10, 140, 100, 30, "漢字"));
        Path pdf = dir.resolve("text.pdf");
        try (CleanPdf out = CleanPdf.create(pdf, 100)) {
            out.addPage(CleanPdf.encode(TestPixmaps.of(white), words));
            out.finish();
        }
        byte[] raw = Files.readAllBytes(pdf);
        String outsideStreams = Pattern.compile("stream\n.*?\nendstream", Pattern.DOTALL)
                .matcher(new String(raw, StandardCharsets.ISO_8859_1))
                .replaceAll("");
        assertThat(outsideStreams).doesNotContain("JavaScript").doesNotContain("(");
        Matcher names = Pattern.compile("/([A-Za-z0-9]+)").matcher(outsideStreams);
        java.util.Set<String> seen = new java.util.TreeSet<>();
        while (names.find()) {
            seen.add(names.group(1));
        }
        java.util.Set<String> allowed = new java.util.HashSet<>(RasterOnlyPdf.ALLOWED_NAMES);
        allowed.addAll(List.of("Font", "F0", "Type1", "BaseFont", "Helvetica", "Encoding", "WinAnsiEncoding"));
        assertThat(allowed).containsAll(seen);
        try (PDDocument doc = Loader.loadPDF(pdf.toFile())) {
            String text = new PDFTextStripper().getText(doc);
            assertThat(text)
                    .contains("Quarterly", "Übersicht", ") Tj /JavaScript (app.alert(1)) >> endobj", "??")
                    .doesNotContain("漢");
            assertThat(doc.getDocumentCatalog().getOpenAction()).isNull();
            assertThat(doc.getDocumentCatalog().getNames()).isNull();
            BufferedImage shown = new PDFRenderer(doc).renderImageWithDPI(0, 100, ImageType.RGB);
            for (int y = 0; y < shown.getHeight(); y++) {
                for (int x = 0; x < shown.getWidth(); x++) {
                    assertThat(shown.getRGB(x, y) & 0xffffff)
                            .as("pixel %d,%d", x, y)
                            .isEqualTo(0xffffff);
                }
            }
        }
    }
}
