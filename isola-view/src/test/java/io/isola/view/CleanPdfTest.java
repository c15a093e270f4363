package io.isola.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.IsolaException;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentNameDictionary;
import org.apache.pdfbox.pdmodel.PDEmbeddedFilesNameTreeNode;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.common.filespecification.PDComplexFileSpecification;
import org.apache.pdfbox.pdmodel.common.filespecification.PDEmbeddedFile;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.apache.pdfbox.pdmodel.interactive.action.PDActionJavaScript;
import org.apache.pdfbox.pdmodel.interactive.action.PDActionURI;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationLink;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CleanPdfTest {
    @TempDir
    Path dir;

    @Test
    void aGrayPageIsWrittenAsOneChannelWithTheSameShades() throws IOException {
        BufferedImage text = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 300; x++) {
                int v = x < 100 ? 0 : x < 200 ? 0x80 : 0xff;
                text.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        Path pdf = dir.resolve("gray.pdf");
        CleanPdf.write(List.of(TestPixmaps.of(text), TestPixmaps.quadrants(120, 80)), pdf);
        try (PDDocument doc = RasterOnlyPdf.check(pdf, 2)) {
            assertThat(RasterOnlyPdf.image(doc.getPage(0)).getColorSpace().getName())
                    .isEqualTo("DeviceGray");
            assertThat(RasterOnlyPdf.image(doc.getPage(1)).getColorSpace().getName())
                    .as("a page with colour keeps it")
                    .isEqualTo("DeviceRGB");
            BufferedImage rendered = new PDFRenderer(doc).renderImageWithDPI(0, 100, ImageType.RGB);
            assertThat(rendered.getRGB(50, 100) & 0xffffff).isEqualTo(0x000000);
            assertThat(rendered.getRGB(150, 100) & 0xffffff).isEqualTo(0x808080);
            assertThat(rendered.getRGB(250, 100) & 0xffffff).isEqualTo(0xffffff);
        }
    }

    @Test
    void threePagesEachShowExactlyOneImageOfTheRightSizeAndNothingElse() throws IOException {
        List<Pixmap> pages = List.of(
                TestPixmaps.quadrants(200, 300), TestPixmaps.quadrants(120, 80), TestPixmaps.quadrants(827, 1169));
        Path pdf = dir.resolve("out.pdf");

        CleanPdf.write(pages, pdf);

        try (PDDocument doc = RasterOnlyPdf.check(pdf, 3)) {
            for (int i = 0; i < 3; i++) {
                PDPage page = doc.getPage(i);
                PDImageXObject image = RasterOnlyPdf.image(page);
                assertThat(image.getWidth()).isEqualTo(pages.get(i).width());
                assertThat(image.getHeight()).isEqualTo(pages.get(i).height());
                assertThat(image.getBitsPerComponent()).isEqualTo(8);
                assertThat(image.getColorSpace().getName()).isEqualTo("DeviceRGB");
                // 100 dpi: 100 pixels are 72 points.
                assertThat(page.getMediaBox().getWidth())
                        .isCloseTo(pages.get(i).width() * 0.72f, org.assertj.core.data.Offset.offset(0.001f));
                assertThat(page.getMediaBox().getHeight())
                        .isCloseTo(pages.get(i).height() * 0.72f, org.assertj.core.data.Offset.offset(0.001f));
            }
            BufferedImage rendered = new PDFRenderer(doc).renderImageWithDPI(0, 100, ImageType.RGB);
            assertThat(rendered.getWidth()).isEqualTo(200);
            assertThat(rendered.getHeight()).isEqualTo(300);
            int[] colours = {TestPixmaps.RED, TestPixmaps.GREEN, TestPixmaps.BLUE, TestPixmaps.GRAY};
            int[][] centres = TestPixmaps.quadrantCentres(200, 300);
            for (int q = 0; q < 4; q++) {
                assertThat(rendered.getRGB(centres[q][0], centres[q][1]) & 0xffffff)
                        .as("quadrant %d", q)
                        .isEqualTo(colours[q]);
            }
        }
    }

    @Test
    void theImageDataIsTheExactPixels() throws IOException {
        Pixmap page = TestPixmaps.quadrants(31, 17);
        Path pdf = dir.resolve("exact.pdf");

        CleanPdf.write(List.of(page), pdf);

        try (PDDocument doc = Loader.loadPDF(pdf.toFile())) {
            BufferedImage decoded = RasterOnlyPdf.image(doc.getPage(0)).getImage();
            assertThat(TestPixmaps.of(decoded).rgb()).isEqualTo(page.rgb());
        }
    }

    @Test
    void aHostileDocumentLosesItsJavaScriptLinksAndEmbeddedFilesOnTheWayThroughPixels() throws IOException {
        Path hostile = hostilePdf();
        try (PDDocument doc = Loader.loadPDF(hostile.toFile())) {
            // The input really has what must be removed, or this test would prove nothing.
            assertThat(doc.getDocumentCatalog().getOpenAction()).isInstanceOf(PDActionJavaScript.class);
            assertThat(doc.getPage(0).getAnnotations()).hasSize(1);
            assertThat(doc.getDocumentCatalog().getNames().getEmbeddedFiles().getNames())
                    .containsKey("payload.sh");
            assertThat(doc.getDocumentInformation().getTitle()).isEqualTo("attacker's title");
        }
        List<Pixmap> pixels = new ArrayList<>();
        try (PDDocument doc = Loader.loadPDF(hostile.toFile())) {
            // PDFBox stands in for pdftoppm here only as a source of pixels; the real pipeline renders in a cell.
            PDFRenderer renderer = new PDFRenderer(doc);
            for (int i = 0; i < doc.getNumberOfPages(); i++) {
                pixels.add(TestPixmaps.of(renderer.renderImageWithDPI(i, 100, ImageType.RGB)));
            }
        }
        Path clean = dir.resolve("clean.pdf");

        CleanPdf.write(pixels, clean);

        try (PDDocument doc = RasterOnlyPdf.check(clean, 2)) {
            assertThat(doc.getDocumentCatalog().getOpenAction()).isNull();
            assertThat(doc.getDocumentCatalog().getNames()).isNull();
            assertThat(doc.getDocumentInformation().getTitle()).isNull();
            // The red box of page 1 is still there, as pixels.
            BufferedImage page1 = new PDFRenderer(doc).renderImageWithDPI(0, 100, ImageType.RGB);
            assertThat(page1.getRGB(150, 150) & 0xffffff).isEqualTo(0xff0000);
        }
        String bytes = Files.readString(clean, StandardCharsets.ISO_8859_1);
        assertThat(bytes)
                .doesNotContain("payload")
                .doesNotContain("app.alert")
                .doesNotContain("evil.example")
                .doesNotContain("attacker");
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws IOException {
        Path target = Files.writeString(dir.resolve("taken.pdf"), "mine");

        assertThatThrownBy(() -> CleanPdf.write(List.of(TestPixmaps.quadrants(10, 10)), target))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("already exists");
        assertThat(Files.readString(target)).isEqualTo("mine");
        assertThat(dir).isDirectoryNotContaining("glob:**.part");
    }

    @Test
    void aFileThatAppearsWhileWritingIsNotOverwrittenEither() throws IOException {
        Path target = dir.resolve("race.pdf");
        try (CleanPdf pdf = CleanPdf.create(target, CleanPdf.DEFAULT_DPI)) {
            pdf.addPage(TestPixmaps.quadrants(10, 10));
            Files.writeString(target, "someone else's");

            assertThatThrownBy(pdf::finish).isInstanceOf(IsolaException.class).hasMessageContaining("already exists");
        }
        assertThat(Files.readString(target)).isEqualTo("someone else's");
        assertThat(dir).isDirectoryNotContaining("glob:**.part");
    }

    @Test
    void nothingAppearsUntilTheLastPageIsWrittenAndAnAbandonedPdfLeavesNothing() {
        Path target = dir.resolve("abandoned.pdf");
        try (CleanPdf pdf = CleanPdf.create(target, CleanPdf.DEFAULT_DPI)) {
            pdf.addPage(TestPixmaps.quadrants(10, 10));
            assertThat(target).doesNotExist();
        }
        assertThat(target).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aPdfWithoutPagesIsRefused() {
        Path target = dir.resolve("empty.pdf");

        assertThatThrownBy(() -> CleanPdf.write(List.of(), target))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("at least one page");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void anotherResolutionSizesThePagesAccordingly() throws IOException {
        Path target = dir.resolve("150dpi.pdf");
        try (CleanPdf pdf = CleanPdf.create(target, 150)) {
            pdf.addPage(TestPixmaps.quadrants(300, 150));
            pdf.finish();
        }
        try (PDDocument doc = RasterOnlyPdf.check(target, 1)) {
            assertThat(doc.getPage(0).getMediaBox().getWidth()).isEqualTo(144f);
            assertThat(doc.getPage(0).getMediaBox().getHeight()).isEqualTo(72f);
        }
    }

    /** Two pages; JavaScript run on open, a link to a web site, an embedded file, and a title in /Info. */
    private Path hostilePdf() throws IOException {
        Path file = dir.resolve("hostile.pdf");
        try (PDDocument doc = new PDDocument()) {
            for (int i = 0; i < 2; i++) {
                PDPage page = new PDPage(PDRectangle.A4);
                doc.addPage(page);
                try (PDPageContentStream content = new PDPageContentStream(doc, page)) {
                    content.setNonStrokingColor(Color.RED);
                    // Top left in PDF coordinates (origin at the bottom): pixels 100..200 at 100 dpi.
                    content.addRect(72, PDRectangle.A4.getHeight() - 144, 72, 72);
                    content.fill();
                    content.beginText();
                    content.setNonStrokingColor(Color.BLACK);
                    content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 24);
                    content.newLineAtOffset(72, 400);
                    content.showText("Page " + (i + 1) + " of a hostile document");
                    content.endText();
                }
            }
            doc.getDocumentCatalog().setOpenAction(new PDActionJavaScript("app.alert('pwned')"));
            PDAnnotationLink link = new PDAnnotationLink();
            link.setRectangle(new PDRectangle(72, 390, 300, 40));
            PDActionURI uri = new PDActionURI();
            uri.setURI("https://evil.example/");
            link.setAction(uri);
            doc.getPage(0).getAnnotations().add(link);
            PDComplexFileSpecification spec = new PDComplexFileSpecification();
            spec.setFile("payload.sh");
            spec.setEmbeddedFile(new PDEmbeddedFile(
                    doc, new ByteArrayInputStream("#!/bin/sh\nrm -rf ~\n".getBytes(StandardCharsets.US_ASCII))));
            PDEmbeddedFilesNameTreeNode files = new PDEmbeddedFilesNameTreeNode();
            files.setNames(Map.of("payload.sh", spec));
            PDDocumentNameDictionary names = new PDDocumentNameDictionary(doc.getDocumentCatalog());
            names.setEmbeddedFiles(files);
            doc.getDocumentCatalog().setNames(names);
            doc.getDocumentInformation().setTitle("attacker's title");
            doc.save(file.toFile());
        }
        return file;
    }
}
