package io.isola.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.junit.jupiter.api.Test;

/**
 * The formats people receive, end to end in real cells: office documents through LibreOffice, the images the JDK
 * cannot decode through Debian's tools. Every document is made here; every safe PDF keeps the page count and holds
 * nothing but one image a page.
 */
class ViewFormatsTest extends WithTasks {
    private static final String POLICY = ViewTaskTest.POLICY;

    /** The safe PDF has {@code pages} pages, each one image and nothing else; nothing active anywhere. */
    static void assertPixelsOnly(Path safe, int pages) throws IOException {
        try (PDDocument doc = Loader.loadPDF(safe.toFile())) {
            assertThat(doc.getNumberOfPages()).as(safe.getFileName() + " pages").isEqualTo(pages);
            var catalog = doc.getDocumentCatalog();
            assertThat(catalog.getOpenAction()).isNull();
            assertThat(catalog.getNames()).isNull();
            assertThat(catalog.getAcroForm()).isNull();
            assertThat(catalog.getCOSObject().containsKey(COSName.AA)).isFalse();
            assertThat(doc.getDocumentInformation().getCOSObject().size()).isZero();
            for (PDPage page : doc.getPages()) {
                assertThat(page.getAnnotations()).isEmpty();
                assertThat(page.getResources().getFontNames()).isEmpty();
                int images = 0;
                for (COSName n : page.getResources().getXObjectNames()) {
                    assertThat(page.getResources().getXObject(n)).isInstanceOf(PDImageXObject.class);
                    images++;
                }
                assertThat(images).isEqualTo(1);
            }
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void assertViewed(Path file, String safeName, int pages) throws IOException {
        var r = h.view(POLICY, file);
        assertThat(r.code())
                .as(file.getFileName() + ": " + r.report() + r.err())
                .isZero();
        assertThat(r.report()).contains(pages + " page(s) -> ");
        assertPixelsOnly(file.resolveSibling(safeName), pages);
    }

    @Test
    void everyOfficeFormatKeepsItsPagesAndNothingActive() throws Exception {
        Path dir = TaskHarness.folder("office");
        Map<Path, Integer> docs = new LinkedHashMap<>();
        for (Path p : TestDocuments.convert(
                dir,
                "report",
                "fodt",
                TestDocuments.text(""),
                "odt",
                "docx",
                "doc",
                "rtf",
                "docm:MS Word 2007 XML VBA")) {
            docs.put(p, TestDocuments.TEXT_PAGES);
        }
        for (Path p : TestDocuments.convert(dir, "sheets", "fods", TestDocuments.spreadsheet(), "ods", "xlsx", "xls")) {
            docs.put(p, TestDocuments.SHEETS);
        }
        String slides = TestDocuments.pages("presentation", TestDocuments.SLIDES);
        for (Path p : TestDocuments.convert(dir, "slides", "fodp", slides, "odp", "pptx", "ppt")) {
            docs.put(p, TestDocuments.SLIDES);
        }
        String drawing = TestDocuments.pages("graphics", TestDocuments.DRAWING_PAGES);
        for (Path p : TestDocuments.convert(dir, "drawing", "fodg", drawing, "odg")) {
            docs.put(p, TestDocuments.DRAWING_PAGES);
        }
        assertThat(docs).hasSize(12);
        for (var e : docs.entrySet()) {
            String name = e.getKey().getFileName().toString();
            String ext = name.substring(name.indexOf('.') + 1);
            // each one gets its own stem, so that the views do not take each other's names
            Path doc = Files.move(e.getKey(), dir.resolve(ext + "-" + name));
            assertViewed(doc, ext + "-" + name.substring(0, name.indexOf('.')) + ".safe.pdf", e.getValue());
        }
    }

    @Test
    void aPageOfTextIsAtMost150KilobytesAtTheDefaultResolution() throws Exception {
        Path dir = TaskHarness.folder("size");
        StringBuilder dense = new StringBuilder();
        for (int i = 0; i < 45; i++) {
            dense.append("<text:p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor ")
                    .append("incididunt ut labore et dolore magna aliqua, paragraph ")
                    .append(i)
                    .append(".</text:p>");
        }
        Path docx = TestDocuments.convert(dir, "dense", "fodt", TestDocuments.text(dense.toString()), "docx")
                .getFirst();
        var r = h.view(POLICY, docx);
        assertThat(r.code()).as(r.report()).isZero();
        var pages = java.util.regex.Pattern.compile("(\\d+) page\\(s\\)").matcher(r.report());
        assertThat(pages.find()).isTrue();
        long perPage = Files.size(dir.resolve("dense.safe.pdf")) / Integer.parseInt(pages.group(1));
        assertThat(perPage).as("bytes a page").isLessThanOrEqualTo(150_000);
    }

    @Test
    void anOfficeFileIsRenderedAsWhatItIsWhateverItsName() throws Exception {
        Path dir = TaskHarness.folder("names");
        List<Path> made = TestDocuments.convert(dir, "real", "fodt", TestDocuments.text(""), "docx", "doc");
        Path docxAsXls = Files.move(made.get(0), dir.resolve("budget.xls"));
        Path oleAsPptx = Files.move(made.get(1), dir.resolve("slides.pptx"));
        assertViewed(docxAsXls, "budget.safe.pdf", TestDocuments.TEXT_PAGES);
        assertViewed(oleAsPptx, "slides.safe.pdf", TestDocuments.TEXT_PAGES);
    }

    /**
     * An OpenDocument text whose Basic macro is bound to the document's load event; if it ran, it would write a file
     * into the cell's output folder, which the host takes nothing but page files from, and into the document's own.
     */
    static Path macroDocument(Path file) throws IOException {
        String content = """
                <?xml version="1.0" encoding="UTF-8"?>
                <office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
                xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" \
                xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" \
                xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3"><office:scripts>\
                <office:event-listeners><script:event-listener script:language="ooo:script" \
                script:event-name="dom:load" xlink:type="simple" \
                xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document"/>\
                </office:event-listeners></office:scripts><office:body><office:text><text:p>Invoice</text:p>\
                </office:text></office:body></office:document-content>
                """;
        String module = """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
                <script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" \
                script:language="StarBasic">Sub Main
                  Dim n As Integer
                  n = FreeFile
                  Open &quot;/out/macro-ran&quot; For Output As #n
                  Print #n, &quot;ran&quot;
                  Close #n
                  n = FreeFile
                  Open ConvertFromURL(ThisComponent.getURL()) &amp; &quot;.macro-ran&quot; For Output As #n
                  Print #n, &quot;ran&quot;
                  Close #n
                End Sub
                </script:module>
                """;
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("mimetype", "application/vnd.oasis.opendocument.text");
        entries.put("content.xml", content);
        entries.put(
                "Basic/script-lc.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><library:libraries"
                        + " xmlns:library=\"http://openoffice.org/2000/library\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
                        + "<library:library library:name=\"Standard\" library:link=\"false\"/></library:libraries>");
        entries.put(
                "Basic/Standard/script-lb.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><library:library"
                        + " xmlns:library=\"http://openoffice.org/2000/library\" library:name=\"Standard\""
                        + " library:readonly=\"false\" library:passwordprotected=\"false\">"
                        + "<library:element library:name=\"Module1\"/></library:library>");
        entries.put("Basic/Standard/Module1.xml", module);
        StringBuilder manifest = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest"
                + " xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.3\">"
                + "<manifest:file-entry manifest:full-path=\"/\""
                + " manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>");
        for (String name : entries.keySet()) {
            if (!name.equals("mimetype")) {
                manifest.append("<manifest:file-entry manifest:full-path=\"")
                        .append(name)
                        .append("\" manifest:media-type=\"text/xml\"/>");
            }
        }
        entries.put(
                "META-INF/manifest.xml", manifest.append("</manifest:manifest>").toString());
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            for (var e : entries.entrySet()) {
                byte[] data = e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                ZipEntry entry = new ZipEntry(e.getKey());
                if (e.getKey().equals("mimetype")) { // stored, first: how ODF is recognised
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(data.length);
                    var crc = new java.util.zip.CRC32();
                    crc.update(data);
                    entry.setCrc(crc.getValue());
                }
                z.putNextEntry(entry);
                z.write(data);
                z.closeEntry();
            }
        }
        return file;
    }

    @Test
    void anAutoRunMacroNeverRuns() throws Exception {
        Path dir = TaskHarness.folder("macro");
        Path doc = macroDocument(dir.resolve("invoice.odt"));
        var r = h.view(POLICY, doc);
        // a file the macro wrote to /out would be refused among the pages, and no view made
        assertThat(r.code()).as(r.report() + r.err()).isZero();
        assertPixelsOnly(dir.resolve("invoice.safe.pdf"), 1);
        assertThat(names(dir)).containsExactly("invoice.odt", "invoice.safe.pdf");
    }

    /** Counts the connections made to a loopback port while the test runs. */
    private static final class Listener implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger connections = new AtomicInteger();

        Listener() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getLocalPort() + "/" + path;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void anOfficeFileWithAnExternalImageGetsNone() throws Exception {
        Path dir = TaskHarness.folder("linked");
        try (Listener web = new Listener()) {
            String image = "<text:p><draw:frame svg:width=\"5cm\" svg:height=\"5cm\"><draw:image xlink:href=\""
                    + web.url("tracker.png") + "\" xlink:type=\"simple\" xlink:show=\"embed\"/></draw:frame></text:p>";
            // flat OpenDocument, viewed as it is: a conversion on the host first would fetch the image itself
            Path doc = Files.writeString(dir.resolve("linked.fodt"), TestDocuments.text(image));
            assertViewed(doc, "linked.safe.pdf", TestDocuments.TEXT_PAGES);
            assertThat(web.connections.get())
                    .as("requests for the linked image")
                    .isZero();
        }
    }

    @Test
    void aCorruptOfficeFileIsRefusedClearlyAndLeavesNothing() throws IOException {
        Path dir = TaskHarness.folder("corrupt");
        Path bad = dir.resolve("broken.docx");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(bad))) {
            z.putNextEntry(new ZipEntry("[Content_Types].xml"));
            z.write("<Types><Override PartName=\"/word/document.xml\"/>".getBytes());
            z.closeEntry();
            z.putNextEntry(new ZipEntry("word/document.xml"));
            z.write("not xml at all \u0000\u0001".getBytes());
            z.closeEntry();
        }
        var r = h.view(POLICY, bad);
        assertThat(r.code()).as(r.report()).isEqualTo(3);
        assertThat(r.err()).contains("render: cannot be rendered: LibreOffice could not read it");
        assertThat(r.report()).contains("no safe view was made");
        assertThat(names(dir)).containsExactly("broken.docx");
    }

    @Test
    void theVmEngineRefusesWhatItsImageCannotRenderInOneLine() throws Exception {
        Path dir = TaskHarness.folder("vmoffice");
        Path docx = TestDocuments.convert(dir, "memo", "fodt", TestDocuments.text(""), "docx")
                .getFirst();
        var r = h.view(POLICY + "[level.untrusted]\nengine = \"vm\"\n", docx);
        assertThat(r.report().strip())
                .endsWith("isola: the vm engine's image carries no LibreOffice, which "
                        + "application/vnd.openxmlformats-officedocument.wordprocessingml.document needs: view it at a "
                        + "level whose engine is \"sandbox\" (its cells see the host's packages)");
        assertThat(names(dir)).containsExactly("memo.docx");
        Path html = Files.writeString(dir.resolve("page.html"), "<html><body><p>hi</p></body></html>");
        var web = h.view(POLICY + "[level.untrusted]\nengine = \"vm\"\n", html);
        assertThat(web.report().strip())
                .endsWith("isola: the vm engine's image carries no Python, which text/html "
                        + "needs: view it at a level whose engine is \"sandbox\" (its cells see the host's packages)");
    }

    @Test
    void anEncryptedPdfIsNamedAsSuch() throws Exception {
        Path dir = TaskHarness.folder("locked");
        Path pdf = ViewTaskTest.hostilePdf(dir, 2);
        try (PDDocument doc = Loader.loadPDF(pdf.toFile())) {
            var policy = new org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy(
                    "owner-secret", "user-secret", new org.apache.pdfbox.pdmodel.encryption.AccessPermission());
            policy.setEncryptionKeyLength(128);
            doc.protect(policy);
            doc.save(dir.resolve("locked.pdf").toFile());
        }
        Files.delete(pdf);
        var r = h.view(POLICY, dir.resolve("locked.pdf"));
        assertThat(r.code()).as(r.report()).isEqualTo(3);
        assertThat(r.err()).contains("render: this document is encrypted; give --password-file");
        assertThat(r.report()).contains("no safe view was made");
        assertThat(names(dir)).containsExactly("locked.pdf");
    }

    @Test
    void maxPagesRendersTheFirstPagesAndSaysSo() throws Exception {
        Path dir = TaskHarness.folder("maxpages");
        Path pdf = ViewTaskTest.hostilePdf(dir, 5);
        var r = h.view(POLICY, pdf, new ViewTask.Options(null, false, 2, ViewTask.Quality.NORMAL));
        assertThat(r.code()).as(r.report()).isZero();
        assertThat(r.err()).contains("render: the document has 5 pages; the first 2 were rendered (--max-pages)");
        assertPixelsOnly(dir.resolve("hostile.safe.pdf"), 2);
        List<String> words = TestDocuments.convert(dir, "memo", "fodt", TestDocuments.text(""), "docx").stream()
                .map(p -> {
                    var v = h.view(POLICY, p, new ViewTask.Options(null, false, 1, ViewTask.Quality.NORMAL));
                    return v.code() + " "
                            + v.err()
                                    .lines()
                                    .filter(l -> l.startsWith("render:"))
                                    .toList();
                })
                .toList();
        assertThat(words)
                .containsExactly("0 [render: the document has 3 pages; the first 1 were rendered (--max-pages)]");
        assertPixelsOnly(dir.resolve("memo.safe.pdf"), 1);
    }

    @Test
    void draftQualityMakesSmallerPagesOfTheSameCount() throws Exception {
        Path dir = TaskHarness.folder("quality");
        Path pdf = ViewTaskTest.hostilePdf(dir, 2);
        Path normal = Files.createDirectories(dir.resolve("normal")),
                draft = Files.createDirectories(dir.resolve("draft"));
        assertThat(h.view(POLICY, pdf, new ViewTask.Options(normal, false)).code())
                .isZero();
        var r = h.view(POLICY, pdf, new ViewTask.Options(draft, false, 1000, ViewTask.Quality.DRAFT));
        assertThat(r.code()).as(r.report()).isZero();
        Path small = draft.resolve("hostile.safe.pdf"), big = normal.resolve("hostile.safe.pdf");
        assertPixelsOnly(small, 2);
        assertThat(Files.size(small)).isLessThan(Files.size(big) * 3 / 4);
        try (PDDocument a = Loader.loadPDF(small.toFile());
                PDDocument b = Loader.loadPDF(big.toFile())) {
            // the page keeps its size on paper: 11 inches on the long side either way
            assertThat(a.getPage(0).getMediaBox().getHeight())
                    .isCloseTo(b.getPage(0).getMediaBox().getHeight(), org.assertj.core.data.Offset.offset(8f));
            var image = (PDImageXObject) a.getPage(0)
                    .getResources()
                    .getXObject(a.getPage(0)
                            .getResources()
                            .getXObjectNames()
                            .iterator()
                            .next());
            assertThat(Math.max(image.getWidth(), image.getHeight())).isEqualTo(1100);
        }
    }

    // ---- images the JDK does not decode itself

    @Test
    void tiffWebpNetpbmAndSvgBecomeCleanPictures() throws Exception {
        Path dir = TaskHarness.folder("images");
        BufferedImage src = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                src.setRGB(x, y, x < 20 ? 0xff0000 : 0x0000ff);
            }
        }
        Path png = dir.resolve("src.png");
        ImageIO.write(src, "png", png.toFile());
        TestDocuments.run(
                dir,
                "cwebp",
                "-quiet",
                "-lossless",
                png.toString(),
                "-o",
                dir.resolve("photo.webp").toString());
        StringBuilder ppm = new StringBuilder("P3\n40 30\n255\n");
        StringBuilder pgm = new StringBuilder("P2\n40 30\n255\n");
        StringBuilder pbm = new StringBuilder("P1\n40 30\n");
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                ppm.append(x < 20 ? "255 0 0 " : "0 0 255 ");
                pgm.append(x < 20 ? "0 " : "255 ");
                pbm.append(x < 20 ? "1 " : "0 ");
            }
        }
        Files.writeString(dir.resolve("scan.ppm"), ppm);
        Files.writeString(dir.resolve("gray.pgm"), pgm);
        Files.writeString(dir.resolve("mono.pbm"), pbm);
        Files.writeString(dir.resolve("scan2.pnm"), ppm);
        Files.writeString(
                dir.resolve("logo.svg"),
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"30\">"
                        + "<rect width=\"20\" height=\"30\" fill=\"#ff0000\"/>"
                        + "<rect x=\"20\" width=\"20\" height=\"30\" fill=\"#0000ff\"/></svg>");
        Files.delete(png);
        for (String name : List.of("photo.webp", "scan.ppm", "scan2.pnm", "logo.svg")) {
            BufferedImage out = viewedPng(dir.resolve(name));
            int w = out.getWidth(), h = out.getHeight();
            assertThat(Math.abs(w * 30 - h * 40)).as(name + " keeps its shape").isLessThanOrEqualTo(40);
            assertThat(out.getRGB(w / 4, h / 2) & 0xffffff).as(name + " left").isEqualTo(0xff0000);
            assertThat(out.getRGB(3 * w / 4, h / 2) & 0xffffff)
                    .as(name + " right")
                    .isEqualTo(0x0000ff);
        }
        for (String name : List.of("gray.pgm", "mono.pbm")) {
            BufferedImage out = viewedPng(dir.resolve(name));
            assertThat(out.getRGB(10, 15) & 0xffffff).as(name + " left").isEqualTo(0x000000);
            assertThat(out.getRGB(30, 15) & 0xffffff).as(name + " right").isEqualTo(0xffffff);
        }
    }

    private BufferedImage viewedPng(Path file) throws IOException {
        var r = h.view(POLICY, file);
        assertThat(r.code())
                .as(file.getFileName() + ": " + r.report() + r.err())
                .isZero();
        String name = file.getFileName().toString();
        Path safe = file.resolveSibling(name.substring(0, name.indexOf('.')) + ".safe.png");
        return ImageIO.read(safe.toFile());
    }

    @Test
    void aMultiPageTiffKeepsEveryPage() throws Exception {
        Path dir = TaskHarness.folder("tiff");
        Path tiff = dir.resolve("fax.tif");
        var writer = ImageIO.getImageWritersByFormatName("tiff").next();
        try (var out = ImageIO.createImageOutputStream(tiff.toFile())) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (int i = 0; i < 3; i++) {
                BufferedImage page = new BufferedImage(170, 220, BufferedImage.TYPE_INT_RGB);
                page.getGraphics().fillRect(0, 0, 170, 220);
                writer.writeToSequence(new javax.imageio.IIOImage(page, null, null), null);
            }
            writer.endWriteSequence();
        }
        writer.dispose();
        assertViewed(tiff, "fax.safe.pdf", 3);
    }

    /** A TIFF whose one IFD claims 100000 × 100000 pixels of uncompressed data that is not there. */
    static byte[] hugeTiff() {
        java.nio.ByteBuffer b =
                java.nio.ByteBuffer.allocate(8 + 2 + 6 * 12 + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        b.putShort((short) 6);
        int[][] tags = {{256, 4, 100_000}, {257, 4, 100_000}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1}, {273, 4, 8}};
        for (int[] t : tags) {
            b.putShort((short) t[0]).putShort((short) t[1]).putInt(1);
            if (t[1] == 3) {
                b.putShort((short) t[2]).putShort((short) 0);
            } else {
                b.putInt(t[2]);
            }
        }
        b.putInt(0);
        return b.array();
    }

    @Test
    void aTiffWithAHugeDeclaredSizeIsRefusedBeforeDecoding() throws IOException {
        Path dir = TaskHarness.folder("hugetiff");
        Path tiff = Files.write(dir.resolve("huge.tif"), hugeTiff());
        var r = h.view(POLICY, tiff);
        assertThat(r.code()).as(r.report()).isEqualTo(3);
        assertThat(r.err()).contains("image is 100000x100000, more than the limit");
        assertThat(names(dir)).containsExactly("huge.tif");
    }

    @Test
    void anSvgShowsNothingItReferencesOutsideItself() throws Exception {
        Path dir = TaskHarness.folder("svgrefs");
        BufferedImage red = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
        red.getGraphics().setColor(java.awt.Color.RED);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 20; x++) {
                red.setRGB(x, y, 0xff0000);
            }
        }
        Path beside = dir.resolve("secret.png");
        ImageIO.write(red, "png", beside.toFile());
        try (Listener web = new Listener()) {
            Path svg = Files.writeString(
                    dir.resolve("card.svg"),
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\""
                            + " width=\"60\" height=\"20\"><rect width=\"60\" height=\"20\" fill=\"#00ff00\"/>"
                            + "<image x=\"0\" width=\"20\" height=\"20\" xlink:href=\"secret.png\"/>"
                            + "<image x=\"20\" width=\"20\" height=\"20\" xlink:href=\"" + beside.toUri() + "\"/>"
                            + "<image x=\"40\" width=\"20\" height=\"20\" xlink:href=\"" + web.url("pixel.png")
                            + "\"/></svg>");
            // the host's own rsvg-convert does show the picture beside it: the references are real
            TestDocuments.run(dir, "rsvg-convert", "-o", dir.resolve("host.png").toString(), svg.toString());
            assertThat(ImageIO.read(dir.resolve("host.png").toFile()).getRGB(10, 10) & 0xffffff)
                    .isEqualTo(0xff0000);
            BufferedImage out = viewedPng(svg);
            for (int x = 0; x < 3; x++) {
                int px = out.getRGB(x * out.getWidth() / 3 + out.getWidth() / 6, out.getHeight() / 2) & 0xffffff;
                assertThat(px).as("third " + x + " is the SVG's own green").isEqualTo(0x00ff00);
            }
            assertThat(web.connections.get()).isZero();
        }
    }

    // ---- decompression bombs: each ends in a clean view or a clear refusal, and nothing is left behind

    /** A one-line refusal from the cell's renderer, or a view that holds nothing but pixels; nothing else left. */
    private void assertCleanViewOrClearRefusal(Path file, String safeName) throws IOException {
        var r = h.view(POLICY, file);
        if (r.code() == 0) {
            assertPixelsOnly(file.resolveSibling(safeName), 1);
            assertThat(names(file.getParent()))
                    .containsExactlyInAnyOrder(file.getFileName().toString(), safeName);
        } else {
            assertThat(r.report()).as(r.err()).contains("no safe view was made");
            assertThat(r.err().lines().filter(l -> l.startsWith("render: ")).count())
                    .as(r.err())
                    .isLessThanOrEqualTo(1);
            assertThat(names(file.getParent()))
                    .containsExactly(file.getFileName().toString());
        }
        try (var s = Files.walk(h.state.resolve("tasks"))) {
            assertThat(s.filter(Files::isRegularFile).toList())
                    .as("task files left")
                    .isEmpty();
        }
    }

    @Test
    void aPngBombEndsCleanly() throws Exception {
        Path dir = TaskHarness.folder("pngbomb");
        // 9000 × 5500 white pixels: under 50 Mpixel, so decoded (~200 MB), from a file of a few hundred kilobytes
        BufferedImage white = new BufferedImage(9000, 5500, BufferedImage.TYPE_BYTE_BINARY);
        Path png = dir.resolve("bomb.png");
        ImageIO.write(white, "png", png.toFile());
        assertThat(Files.size(png)).isLessThan(1 << 20);
        assertCleanViewOrClearRefusal(png, "bomb.safe.png");
    }

    @Test
    void aTiffBombEndsCleanly() throws Exception {
        Path dir = TaskHarness.folder("tiffbomb");
        BufferedImage white = new BufferedImage(9000, 5500, BufferedImage.TYPE_BYTE_BINARY);
        Path tiff = dir.resolve("bomb.tif");
        var writer = ImageIO.getImageWritersByFormatName("tiff").next();
        var param = writer.getDefaultWriteParam();
        param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionType("Deflate");
        try (var out = ImageIO.createImageOutputStream(tiff.toFile())) {
            writer.setOutput(out);
            writer.write(null, new javax.imageio.IIOImage(white, null, null), param);
        }
        writer.dispose();
        assertThat(Files.size(tiff)).isLessThan(1 << 20);
        assertCleanViewOrClearRefusal(tiff, "bomb.safe.pdf");
    }

    @Test
    void aDocxBombEndsCleanly() throws Exception {
        Path dir = TaskHarness.folder("docxbomb");
        Path docx = TestDocuments.convert(dir, "bomb", "fodt", TestDocuments.text(""), "docx")
                .getFirst();
        // add a gigabyte of zeros as a part of the package: a few megabytes packed
        Path bomb = dir.resolve("big.docx");
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(docx));
                var out = new ZipOutputStream(Files.newOutputStream(bomb))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.putNextEntry(new ZipEntry(e.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.setLevel(9);
            out.putNextEntry(new ZipEntry("word/media/zeros.bin"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 1024; i++) {
                out.write(zeros);
            }
            out.closeEntry();
        }
        Files.delete(docx);
        assertThat(Files.size(bomb)).isLessThan(8 << 20);
        var r = h.view(POLICY, bomb);
        if (r.code() == 0) {
            assertPixelsOnly(dir.resolve("big.safe.pdf"), TestDocuments.TEXT_PAGES);
        } else {
            assertThat(r.report()).as(r.err()).contains("no safe view was made");
            assertThat(names(dir)).containsExactly("big.docx");
        }
    }

    @Test
    void aPdfThatClaimsToBeAWordFileIsRenderedAsThePdfItIs() throws Exception {
        Path dir = TaskHarness.folder("claims");
        Path pdf = ViewTaskTest.hostilePdf(dir, 2);
        Path docx = Files.move(pdf, dir.resolve("contract.docx"));
        var r = h.view(POLICY, docx);
        assertThat(r.code()).as(r.report()).isZero();
        assertThat(r.report()).contains("(application/pdf, ");
        assertPixelsOnly(dir.resolve("contract.safe.pdf"), 2);
    }

    // ---- HTML and EPUB

    @Test
    void htmlKeepsItsPagesAndFetchesNothing() throws Exception {
        Path dir = TaskHarness.folder("html");
        BufferedImage red = new BufferedImage(50, 50, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 50; y++) {
            for (int x = 0; x < 50; x++) {
                red.setRGB(x, y, 0xff0000);
            }
        }
        ImageIO.write(red, "png", dir.resolve("beside.png").toFile());
        try (Listener web = new Listener()) {
            Path html = Files.writeString(
                    dir.resolve("mail.html"),
                    "<html><head><link rel=stylesheet href=\"" + web.url("style.css") + "\"></head><body>"
                            + "<img src=\"beside.png\" style=\"width:5cm\"><img src=\"" + web.url("track.png")
                            + "\"><script>document.write('scripted')</script><p>Page 1</p>"
                            + "<p style=\"page-break-before: always\">Page 2</p></body></html>");
            assertViewed(html, "mail.safe.pdf", 2);
            assertThat(web.connections.get()).as("requests made").isZero();
            try (PDDocument doc = Loader.loadPDF(dir.resolve("mail.safe.pdf").toFile())) {
                BufferedImage page = new org.apache.pdfbox.rendering.PDFRenderer(doc).renderImageWithDPI(0, 30);
                for (int y = 0; y < page.getHeight(); y++) {
                    for (int x = 0; x < page.getWidth(); x++) {
                        int p = page.getRGB(x, y);
                        boolean redPixel = (p >> 16 & 0xff) > 200 && (p >> 8 & 0xff) < 80 && (p & 0xff) < 80;
                        assertThat(redPixel)
                                .as("the picture beside the page is not shown")
                                .isFalse();
                    }
                }
            }
        }
    }

    /** An EPUB of {@code chapters} chapters, each with a picture from inside the book, plus {@code extra} entries. */
    static Path epub(Path file, int chapters, Map<String, byte[]> extra) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("mimetype", "application/epub+zip".getBytes());
        entries.put(
                "META-INF/container.xml",
                ("<?xml version=\"1.0\"?><container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:"
                                + "container\"><rootfiles><rootfile full-path=\"OEBPS/content.opf\" media-type=\""
                                + "application/oebps-package+xml\"/></rootfiles></container>")
                        .getBytes());
        StringBuilder manifest = new StringBuilder(), spine = new StringBuilder();
        for (int i = 1; i <= chapters; i++) {
            manifest.append("<item id=\"c")
                    .append(i)
                    .append("\" href=\"c")
                    .append(i)
                    .append(".xhtml\" media-type=\"application/xhtml+xml\"/>");
            spine.append("<itemref idref=\"c").append(i).append("\"/>");
            entries.put(
                    "OEBPS/c" + i + ".xhtml",
                    ("<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>Chapter " + i
                                    + "</p><img src=\"pic.svg\"/></body></html>")
                            .getBytes());
        }
        entries.put(
                "OEBPS/content.opf",
                ("<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\"><manifest>"
                                + manifest + "</manifest><spine>" + spine + "</spine></package>")
                        .getBytes());
        entries.put(
                "OEBPS/pic.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"90\" height=\"90\"><rect width=\"90\" height=\"90\"/></svg>"
                        .getBytes());
        entries.putAll(extra);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            for (var e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                if (e.getKey().equals("mimetype")) {
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    var crc = new java.util.zip.CRC32();
                    crc.update(e.getValue());
                    entry.setCrc(crc.getValue());
                }
                z.putNextEntry(entry);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return file;
    }

    @Test
    void anEpubKeepsEveryChapter() throws Exception {
        Path dir = TaskHarness.folder("epub");
        assertViewed(epub(dir.resolve("novel.epub"), 3, Map.of()), "novel.safe.pdf", 3);
    }

    @Test
    void anEpubBombIsRefusedAndLeavesNothing() throws Exception {
        Path dir = TaskHarness.folder("epubbomb");
        Path book = epub(dir.resolve("bomb.epub"), 1, Map.of("OEBPS/zeros.bin", new byte[200 << 20]));
        var r = h.view(POLICY, book);
        assertThat(r.code()).as(r.report()).isEqualTo(3);
        assertThat(r.err())
                .contains("render: cannot be rendered: the book holds a file that unpacks to 209715200 bytes");
        assertThat(r.report()).contains("no safe view was made");
        assertThat(names(dir)).containsExactly("bomb.epub");
    }

    // ---- e-mail

    @Test
    void aMessageShowsItsHeadersAndBodyWithItsAttachmentsBeside() throws Exception {
        Path dir = TaskHarness.folder("mail");
        String boundary = "b0";
        StringBuilder eml = new StringBuilder("From: Bank <bank@example.com>\r\nTo: me@example.com\r\n"
                + "Subject: =?utf-8?q?Invoice_=E2=82=AC?=\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=" + boundary + "\r\n\r\n--" + boundary + "\r\n"
                + "Content-Type: text/html; charset=utf-8\r\n\r\n<p>Dear customer, pay now</p>"
                + "<script>alert(1)</script><img src=\"http://127.0.0.1:9/t.png\">\r\n");
        eml.append("--")
                .append(boundary)
                .append("\r\nContent-Type: application/pdf; name=invoice.pdf\r\n")
                .append("Content-Disposition: attachment; filename=invoice.pdf\r\nContent-Transfer-Encoding: base64")
                .append("\r\n\r\nJVBERi0xLjQK\r\n");
        eml.append("\r\n--").append(boundary).append("--\r\n");
        Path file = Files.writeString(dir.resolve("invoice.eml"), eml);
        var r = h.view(POLICY, file);
        assertThat(r.code()).as(r.report()).isZero();
        assertThat(r.report()).contains("(message/rfc822, ");
        Path message = dir.resolve("invoice.safe/message.safe.pdf");
        try (PDDocument doc = Loader.loadPDF(message.toFile())) {
            assertPixelsOnly(message, doc.getNumberOfPages());
            // the first page has text drawn near its top: the headers
            BufferedImage page = new org.apache.pdfbox.rendering.PDFRenderer(doc).renderImageWithDPI(0, 72);
            boolean ink = false;
            for (int y = 30; y < 80 && !ink; y++) {
                for (int x = 30; x < 300 && !ink; x++) {
                    ink = (page.getRGB(x, y) & 0xff) < 128;
                }
            }
            assertThat(ink).isTrue();
        }
        // the attachment, a PDF of nine bytes, cannot be rendered: the index says so, and it is not copied out
        assertThat(names(dir.resolve("invoice.safe"))).containsExactly("index.txt", "message.safe.pdf");
        assertThat(Files.readString(dir.resolve("invoice.safe/index.txt")))
                .contains("invoice.pdf\n    -> not viewed: ");
    }

    @Test
    void aPlainMessageRendersItsDecodedText() throws Exception {
        Path dir = TaskHarness.folder("plainmail");
        Path file = Files.writeString(
                dir.resolve("note.eml"),
                "From: a@example.com\r\nTo: b@example.com\r\nSubject: lunch\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                        + java.util.Base64.getEncoder().encodeToString("See you at noon\n".getBytes()) + "\r\n");
        assertViewed(file, "note.safe.pdf", 1);
    }
}
