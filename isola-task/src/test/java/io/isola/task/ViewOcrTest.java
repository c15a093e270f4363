package io.isola.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.contentstream.operator.Operator;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSNumber;
import org.apache.pdfbox.pdfparser.PDFStreamParser;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;

/**
 * {@code --ocr}: Tesseract reads the rendered pages in the cell; the host takes only words and boxes and writes them
 * as an invisible text layer under the image. The scans are made here, from text drawn by Java2D, so the only way
 * their words can reach the safe PDF is through the pixels.
 */
class ViewOcrTest extends WithTasks {
    private static final String POLICY = ViewTaskTest.POLICY;
    private static final List<String> WORDS = List.of("Quarterly", "invoice", "from", "Isola", "payable", "within");

    /** A page of large black text on white, 1275 x 1650 pixels (letter at 150 dpi): what a scanner makes. */
    static BufferedImage scannedPage() {
        BufferedImage img = new BufferedImage(1275, 1650, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SERIF, Font.PLAIN, 44));
        g.drawString("Quarterly invoice from Isola", 120, 300);
        g.drawString("payable within thirty days", 120, 400);
        g.dispose();
        return img;
    }

    /** The scan as a PDF of one image and no text, as a scanner's PDF is. */
    static Path scanPdf(Path dir) throws IOException {
        Path pdf = dir.resolve("scan.pdf");
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(PDRectangle.LETTER);
            doc.addPage(page);
            PDImageXObject image = LosslessFactory.createFromImage(doc, scannedPage());
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                cs.drawImage(image, 0, 0, PDRectangle.LETTER.getWidth(), PDRectangle.LETTER.getHeight());
            }
            doc.save(pdf.toFile());
        }
        try (PDDocument doc = Loader.loadPDF(pdf.toFile())) {
            assertThat(new PDFTextStripper().getText(doc))
                    .as("the scan itself has no text")
                    .isBlank();
        }
        return pdf;
    }

    @Test
    void aScannedPdfGetsASearchableTextLayerFromItsPixels() throws Exception {
        Path dir = TaskHarness.folder("ocr");
        Path scan = scanPdf(dir);
        var r = h.view(POLICY, scan, ViewTask.Options.DEFAULT.withOcr("eng"));
        assertThat(r.code()).as(r.report() + r.err()).isZero();
        assertThat(r.report()).contains("1 page(s) -> ");
        assertSearchableAndOnlyPixelsAndText(dir.resolve("scan.safe.pdf"), 1);
    }

    @Test
    void aScannedImageBecomesASearchablePdf() throws Exception {
        Path dir = TaskHarness.folder("ocr-png");
        Path png = dir.resolve("scan.png");
        ImageIO.write(scannedPage(), "png", png.toFile());
        var r = h.view(POLICY, png, ViewTask.Options.DEFAULT.withOcr("eng"));
        assertThat(r.code()).as(r.report() + r.err()).isZero();
        assertThat(Files.exists(dir.resolve("scan.safe.png"))).isFalse();
        assertSearchableAndOnlyPixelsAndText(dir.resolve("scan.safe.pdf"), 1);
    }

    @Test
    void aMissingLanguageSaysWhichPackageToInstallAndLeavesNothing() throws Exception {
        Path dir = TaskHarness.folder("ocr-lang");
        Path scan = scanPdf(dir);
        var r = h.view(POLICY, scan, ViewTask.Options.DEFAULT.withOcr("eng+xqz"));
        assertThat(r.code()).as("refused before any cell").isEqualTo(-1);
        assertThat(r.report().strip())
                .endsWith("isola: --ocr xqz needs its language data: apt-get install tesseract-ocr-xqz");
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("scan.pdf");
        }
    }

    /**
     * The words read from the pixels are found by a PDF reader's text extraction; the file holds no active content;
     * its only font is a standard one with no program; every text operator is invisible (render mode 3) and comes
     * before the image is painted, so the image lies over the text.
     */
    static void assertSearchableAndOnlyPixelsAndText(Path safe, int pages) throws IOException {
        try (PDDocument doc = Loader.loadPDF(safe.toFile())) {
            assertThat(doc.getNumberOfPages()).isEqualTo(pages);
            String text = new PDFTextStripper().getText(doc);
            assertThat(text).contains(WORDS);
            var catalog = doc.getDocumentCatalog();
            assertThat(catalog.getOpenAction()).isNull();
            assertThat(catalog.getNames()).isNull();
            assertThat(catalog.getAcroForm()).isNull();
            assertThat(catalog.getCOSObject().containsKey(COSName.AA)).isFalse();
            assertThat(doc.getDocumentInformation().getCOSObject().size()).isZero();
            for (PDPage page : doc.getPages()) {
                assertThat(page.getAnnotations()).isEmpty();
                assertThat(page.getCOSObject().containsKey(COSName.AA)).isFalse();
                List<COSName> xobjects = new ArrayList<>();
                page.getResources().getXObjectNames().forEach(xobjects::add);
                assertThat(xobjects).hasSize(1);
                assertThat(page.getResources().getXObject(xobjects.getFirst())).isInstanceOf(PDImageXObject.class);
                for (COSName f : page.getResources().getFontNames()) {
                    PDFont font = page.getResources().getFont(f);
                    assertThat(font.getName()).isEqualTo("Helvetica");
                    assertThat(font.isEmbedded()).isFalse();
                }
                PDFStreamParser parser = new PDFStreamParser(page);
                List<Object> tokens = parser.parse();
                boolean painted = false, invisible = false;
                int shown = 0;
                for (int i = 0; i < tokens.size(); i++) {
                    if (!(tokens.get(i) instanceof Operator op)) {
                        continue;
                    }
                    switch (op.getName()) {
                        case "Tr" -> invisible = ((COSNumber) tokens.get(i - 1)).intValue() == 3;
                        case "Tj", "TJ", "'", "\"" -> {
                            assertThat(painted).as("text after the image").isFalse();
                            assertThat(invisible).as("visible text").isTrue();
                            shown++;
                        }
                        case "Do" -> painted = true;
                        default -> {}
                    }
                }
                assertThat(painted).isTrue();
                assertThat(shown).isGreaterThanOrEqualTo(WORDS.size());
            }
        }
    }
}
