package io.isola.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.trust.Marks;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
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
import org.apache.pdfbox.rendering.PDFRenderer;
import org.junit.jupiter.api.Test;

/**
 * {@code open --view} end to end: hostile documents made here, rendered in a real cell by the real renderers, rebuilt
 * on the host; the result is inspected with PDFBox for anything active.
 */
class ViewTaskTest extends WithTasks {
    static final String POLICY = "version = 1\n";

    /** A PDF with JavaScript on open, a link on every page and an embedded file: what a phishing mail carries. */
    static Path hostilePdf(Path dir, int pages) throws IOException {
        Path file = dir.resolve("hostile.pdf");
        try (PDDocument doc = new PDDocument()) {
            for (int i = 1; i <= pages; i++) {
                PDPage page = new PDPage(PDRectangle.LETTER);
                doc.addPage(page);
                try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                    cs.setNonStrokingColor(Color.RED);
                    cs.addRect(72, 600, 200, 100);
                    cs.fill();
                    cs.beginText();
                    cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 24);
                    cs.newLineAtOffset(72, 500);
                    cs.showText("Page " + i + " of the invoice");
                    cs.endText();
                }
                PDAnnotationLink link = new PDAnnotationLink();
                link.setRectangle(new PDRectangle(72, 600, 200, 100));
                PDActionURI uri = new PDActionURI();
                uri.setURI("http://evil.example/steal");
                link.setAction(uri);
                page.getAnnotations().add(link);
            }
            doc.getDocumentCatalog().setOpenAction(new PDActionJavaScript("app.alert('pwned')"));
            PDEmbeddedFile ef =
                    new PDEmbeddedFile(doc, new java.io.ByteArrayInputStream("#!/bin/sh\nrm -rf ~\n".getBytes()));
            PDComplexFileSpecification fs = new PDComplexFileSpecification();
            fs.setFile("payload.sh");
            fs.setEmbeddedFile(ef);
            PDEmbeddedFilesNameTreeNode tree = new PDEmbeddedFilesNameTreeNode();
            tree.setNames(Map.of("payload.sh", fs));
            PDDocumentNameDictionary names = new PDDocumentNameDictionary(doc.getDocumentCatalog());
            names.setEmbeddedFiles(tree);
            doc.getDocumentCatalog().setNames(names);
            doc.getDocumentInformation().setTitle("<script>alert(1)</script>");
            doc.save(file.toFile());
        }
        return file;
    }

    @Test
    void aHostilePdfComesOutAsPixelsOnlyAndSealedAsTrusted() throws IOException {
        Path dir = TaskHarness.folder("view");
        Path pdf = hostilePdf(dir, 3);
        var r = h.view(POLICY, pdf);
        assertThat(r.code()).as(r.report()).isZero();
        Path safe = dir.resolve("hostile.safe.pdf");
        assertThat(r.report()).contains("3 page(s) -> " + safe);
        try (PDDocument doc = Loader.loadPDF(safe.toFile())) {
            assertThat(doc.getNumberOfPages()).isEqualTo(3);
            var catalog = doc.getDocumentCatalog();
            assertThat(catalog.getOpenAction()).isNull();
            assertThat(catalog.getNames()).isNull();
            assertThat(catalog.getAcroForm()).isNull();
            assertThat(catalog.getCOSObject().containsKey(COSName.AA)).isFalse();
            assertThat(doc.getDocumentInformation().getTitle()).isNull();
            for (PDPage page : doc.getPages()) {
                assertThat(page.getAnnotations()).isEmpty();
                assertThat(page.getResources().getFontNames()).isEmpty();
                List<COSName> xobjects =
                        (List<COSName>) toList(page.getResources().getXObjectNames());
                assertThat(xobjects).hasSize(1);
                assertThat(page.getResources().getXObject(xobjects.get(0))).isInstanceOf(PDImageXObject.class);
            }
            // The pixels survived: the red box is still red, the background still white.
            BufferedImage img = new PDFRenderer(doc).renderImageWithDPI(0, 72);
            assertThat(new Color(img.getRGB(150, 792 - 650)).getRed()).isGreaterThan(200);
            assertThat(new Color(img.getRGB(150, 792 - 650)).getGreen()).isLessThan(60);
            assertThat(img.getRGB(500, 50) & 0xffffff).isEqualTo(0xffffff);
        }
        byte[] raw = Files.readAllBytes(safe);
        assertThat(new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain("JavaScript", "/JS", "/URI", "evil.example", "EmbeddedFile", "payload", "script");
        Marks m = Marks.read(safe);
        assertThat(m.get(Marks.TRUST)).isEqualTo("trusted");
        assertThat(m.get(Marks.KIND)).isEqualTo("safe-view");
        assertThat(h.seal.verifies(m, OpenTaskTest.sha256(raw))).isTrue();
    }

    @Test
    void aSafeViewOfAnUntrustedDownloadIsTrustedAndSaysItWasRebuiltFromPixels() throws IOException {
        Path dir = TaskHarness.folder("dl");
        Path pdf = hostilePdf(dir, 1);
        Files.getFileAttributeView(pdf, java.nio.file.attribute.UserDefinedFileAttributeView.class)
                .write(
                        Marks.XDG_ORIGIN,
                        java.nio.charset.StandardCharsets.UTF_8.encode("https://evil.example/hostile.pdf"));
        var r = h.view(POLICY, pdf);
        assertThat(r.code()).as(r.report()).isZero();
        Path safe = dir.resolve("hostile.safe.pdf");
        Marks m = Marks.read(safe);
        assertThat(m.get(Marks.ORIGIN)).isEqualTo("https://evil.example/hostile.pdf");
        var classifier = new io.isola.core.policy.TrustClassifier(
                io.isola.core.policy.PolicyFile.parse(POLICY, "p", h.home), h.seal);
        var v = classifier.file(safe.toRealPath(), "application/pdf", m, OpenTaskTest.sha256(Files.readAllBytes(safe)));
        assertThat(v.level().word()).as(v.reason()).isEqualTo("trusted");
        assertThat(v.reason()).contains("rebuilt from pixels");
    }

    @Test
    void anImageComesOutAsAPngOfTheSamePixels() throws IOException {
        Path dir = TaskHarness.folder("img");
        BufferedImage src = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                src.setRGB(x, y, x < 32 ? 0x0000ff : 0x00ff00);
            }
        }
        Path png = dir.resolve("photo.png");
        ImageIO.write(src, "png", png.toFile());
        var r = h.view(POLICY, png);
        assertThat(r.code()).as(r.report()).isZero();
        BufferedImage out = ImageIO.read(dir.resolve("photo.safe.png").toFile());
        assertThat(out.getWidth()).isEqualTo(64);
        assertThat(out.getHeight()).isEqualTo(48);
        assertThat(out.getRGB(5, 5) & 0xffffff).isEqualTo(0x0000ff);
        assertThat(out.getRGB(60, 40) & 0xffffff).isEqualTo(0x00ff00);
    }

    @Test
    void textBecomesAPdfOfPages() throws IOException {
        Path dir = TaskHarness.folder("text");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            b.append("line ").append(i).append('\n');
        }
        Path txt = Files.writeString(dir.resolve("notes.txt"), b);
        var r = h.view(POLICY, txt);
        assertThat(r.code()).as(r.report()).isZero();
        try (PDDocument doc = Loader.loadPDF(dir.resolve("notes.safe.pdf").toFile())) {
            assertThat(doc.getNumberOfPages()).isGreaterThan(1);
        }
    }

    @Test
    void everyKindOfTextRendersAsText() throws IOException {
        Path dir = TaskHarness.folder("texts");
        Map<String, String> files = Map.of(
                "install.sh",
                "#!/bin/sh\nrm -rf \"$HOME\"/tmp\necho done\n",
                "data.json",
                "{\"name\": \"isola\", \"cells\": [1, 2, 3]}\n",
                "tool.py",
                "#!/usr/bin/env python3\nimport os\nprint(os.getcwd())\n",
                "feed.xml",
                "<?xml version=\"1.0\"?>\n<feed><entry>one</entry></feed>\n");
        for (var e : files.entrySet()) {
            Path f = Files.writeString(dir.resolve(e.getKey()), e.getValue());
            var r = h.view(POLICY, f);
            assertThat(r.code()).as(e.getKey() + ": " + r.report()).isZero();
            String stem = e.getKey().substring(0, e.getKey().indexOf('.'));
            try (PDDocument doc = Loader.loadPDF(dir.resolve(stem + ".safe.pdf").toFile())) {
                assertThat(doc.getNumberOfPages()).as(e.getKey()).isEqualTo(1);
                // the text's first line is drawn: the top-left of the page holds dark pixels
                BufferedImage img = new PDFRenderer(doc).renderImageWithDPI(0, 72);
                boolean ink = false;
                for (int y = 30; y < 60 && !ink; y++) {
                    for (int x = 30; x < 200 && !ink; x++) {
                        ink = (img.getRGB(x, y) & 0xff) < 128;
                    }
                }
                assertThat(ink).as(e.getKey() + " has its text drawn").isTrue();
            }
        }
    }

    @Test
    void aPdfThatRendersForeverIsStoppedAndLeavesNothing() throws IOException {
        Path dir = TaskHarness.folder("forever");
        Path pdf = dir.resolve("slow.pdf");
        // Millions of tiny filled paths: a renderer grinds through them far longer than the level's timeout.
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < 3_000_000; i++) {
            content.append(i % 600).append(' ').append(i % 780).append(" 0.5 0.5 re f\n");
        }
        byte[] stream = content.toString().getBytes();
        String head = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                + "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
                + "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
                + "4 0 obj << /Length " + stream.length + " >>\nstream\n";
        try (var out = Files.newOutputStream(pdf)) {
            out.write(head.getBytes());
            out.write(stream);
            out.write("\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".getBytes());
        }
        var r = h.view(POLICY + "[level.untrusted]\ntimeout = \"1s\"\n", pdf);
        assertThat(r.code()).isEqualTo(137);
        assertThat(r.report()).contains("rendering was stopped (timeout 1000ms)", "no safe view was made");
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("slow.pdf");
        }
    }

    @Test
    void aTypeTheSafeViewCannotRenderIsRefusedClearly() throws IOException {
        // a 7-Zip archive's signature and a few bytes: a container the view does not open (zip and tar it does)
        Path sevenZip = Files.write(
                TaskHarness.folder("7z").resolve("a.7z"),
                new byte[] {'7', 'z', (byte) 0xbc, (byte) 0xaf, 0x27, 0x1c, 0, 4, 1, 2, 3, 4, 5, 6, 7, 8});
        var r = h.view(POLICY, sevenZip);
        assertThat(r.code()).isEqualTo(-1);
        assertThat(r.report()).contains("this is application/x-7z-compressed: open it without --view");
        try (var s = Files.list(sevenZip.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("a.7z");
        }
    }

    @Test
    void anExistingSafeViewIsNeverOverwritten() throws IOException {
        Path dir = TaskHarness.folder("again");
        Path txt = Files.writeString(dir.resolve("a.txt"), "hello\n");
        Files.writeString(dir.resolve("a.safe.pdf"), "mine");
        var r = h.view(POLICY, txt);
        assertThat(r.code()).isZero();
        assertThat(dir.resolve("a.safe.pdf")).hasContent("mine");
        assertThat(dir.resolve("a.safe (isola 2).pdf")).exists();
    }

    @Test
    void aViewOfASafeViewSaysItIsOneAndMakesNothing() throws IOException {
        Path dir = TaskHarness.folder("viewview");
        Path pdf = hostilePdf(dir, 1);
        assertThat(h.view(POLICY, pdf).code()).isZero();
        Path safe = dir.resolve("hostile.safe.pdf");
        var again = h.view(POLICY, safe);
        assertThat(again.code()).as(again.report()).isZero();
        assertThat(again.report()).contains(safe + " is already a safe view").doesNotContain("page(s) ->");
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("hostile.pdf", "hostile.safe.pdf");
        }
    }

    @Test
    void aSecondViewOfTheSameOriginalReusesTheFirst() throws IOException {
        Path dir = TaskHarness.folder("twice");
        Path txt = Files.writeString(dir.resolve("memo.txt"), "first words\n");
        assertThat(h.view(POLICY, txt).code()).isZero();
        Path safe = dir.resolve("memo.safe.pdf");
        var again = h.view(POLICY, txt);
        assertThat(again.code()).as(again.report()).isZero();
        assertThat(again.report()).contains(safe + " is already the safe view of this memo.txt");
        assertThat(dir.resolve("memo.safe (isola 2).pdf")).doesNotExist();
        // changed content is another document: a new view, under a free name
        Files.writeString(txt, "other words\n");
        var changed = h.view(POLICY, txt);
        assertThat(changed.report()).contains("page(s) -> " + dir.resolve("memo.safe (isola 2).pdf"));
        // and both views are found again afterwards
        Files.writeString(txt, "first words\n");
        assertThat(h.view(POLICY, txt).report()).contains(safe + " is already the safe view");
    }

    @Test
    void aViewWhoseSealNoLongerHoldsIsNotReusedAndNoNameGrowsSafeTwice() throws IOException {
        Path dir = TaskHarness.folder("edited");
        Path txt = Files.writeString(dir.resolve("memo.txt"), "words\n");
        assertThat(h.view(POLICY, txt).code()).isZero();
        Path safe = dir.resolve("memo.safe.pdf");
        Files.write(safe, new byte[] {'x'}, java.nio.file.StandardOpenOption.APPEND); // the user edited it
        var again = h.view(POLICY, txt);
        assertThat(again.report()).contains("page(s) -> " + dir.resolve("memo.safe (isola 2).pdf"));
        // the edited file is no longer a sealed view: viewing it makes a view named after it, not memo.safe.safe.pdf
        var ofEdited = h.view(POLICY, safe);
        assertThat(ofEdited.code()).as(ofEdited.report()).isZero();
        assertThat(ofEdited.report()).contains("page(s) -> " + dir.resolve("memo.safe (isola 3).pdf"));
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).noneMatch(n -> n.contains(".safe.safe"));
        }
    }

    @Test
    void anOriginOnAReadOnlyFileSystemIsViewedIntoTheOutputFolder() throws IOException {
        Path out = TaskHarness.folder("out");
        try (var ro = new ReadOnlyFolder(TaskHarness.folder("cdrom").resolve("mnt"), Map.of("notes.txt", "hi\n"))) {
            var r = h.view(POLICY, ro.dir.resolve("notes.txt"), new ViewTask.Options(out, false));
            assertThat(r.code()).as(r.report()).isZero();
            assertThat(r.report()).contains("1 page(s) -> " + out.resolve("notes.safe.pdf"));
            assertThat(Marks.read(out.resolve("notes.safe.pdf")).get(Marks.KIND))
                    .isEqualTo("safe-view");
            // the same view again is found in the output folder
            var again = h.view(POLICY, ro.dir.resolve("notes.txt"), new ViewTask.Options(out, false));
            assertThat(again.report()).contains(out.resolve("notes.safe.pdf") + " is already the safe view");
        }
    }

    @Test
    void anOutputThatIsNoFolderOrCannotBeWrittenIsOneClearLine() throws IOException {
        Path dir = TaskHarness.folder("badout");
        Path txt = Files.writeString(dir.resolve("a.txt"), "hello\n");
        var notFolder = h.view(POLICY, txt, new ViewTask.Options(txt, false));
        assertThat(notFolder.code()).isEqualTo(-1);
        assertThat(notFolder.report())
                .isEqualTo("isola: --output " + txt + " is not a folder: give an existing folder");
        try (var ro = new ReadOnlyFolder(dir.resolve("ro"), Map.of())) {
            var r = h.view(POLICY, txt, new ViewTask.Options(ro.dir, false));
            assertThat(r.report())
                    .isEqualTo("isola: cannot save the safe view in " + ro.dir
                            + ": it is on a read-only file system: give --output a folder you can write");
        }
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("a.txt");
        }
    }

    // ---- a compromised renderer: the cell runs this script instead, and the host must hold its bounds

    private TaskHarness.Result hostileRenderer(String script) throws IOException {
        Path pdf = Files.writeString(TaskHarness.folder("evil").resolve("tiny.pdf"), "%PDF-1.4\n%%EOF\n");
        Renderers evil = new Renderers(
                List.of("/bin/sh", "-c", script),
                io.isola.view.SafeView.Kind.PDF,
                io.isola.view.SafeView.PDFTOPPM_DPI,
                null);
        return h.run(POLICY, (ctx, stdio) -> new ViewTask(ctx, (type, input) -> evil).run(pdf, stdio));
    }

    /** Bytes this JVM has read through read(2) and the like: what the host paid for a harvest. */
    private static long bytesRead() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/io")).stream()
                .filter(l -> l.startsWith("rchar:"))
                .mapToLong(l -> Long.parseLong(l.substring(6).trim()))
                .findFirst()
                .orElseThrow();
    }

    private void assertRefusedCheaply(String script, String... said) throws IOException {
        long before = bytesRead();
        var r = hostileRenderer(script);
        long read = bytesRead() - before;
        assertThat(r.code()).as(r.report()).isNotZero();
        assertThat(r.report()).contains(said).contains("no safe view was made");
        assertThat(read).as("bytes the host read").isLessThan(64L << 20);
        try (var s = Files.walk(h.state)) {
            assertThat(s.filter(Files::isRegularFile)
                            .mapToLong(p -> p.toFile().length())
                            .sum())
                    .as("bytes left in the state directory")
                    .isLessThan(1L << 20);
        }
    }

    @Test
    void aSparseGigabytePageIsRefusedWithoutTheHostReadingIt() throws IOException {
        assertRefusedCheaply(
                "head -c 20 /dev/zero > /out/page-1.ppm; truncate -s 2G /out/page-1.ppm",
                "page-1.ppm is over the limit",
                "it claims 2147483648");
    }

    @Test
    void aPageOfTenThousandPixelsASideIsRefusedWithoutTheHostReadingIt() throws IOException {
        assertRefusedCheaply(
                "printf 'P6\n10000 10000\n255\n' > /out/page-1.ppm; " + "truncate -s 300000018 /out/page-1.ppm",
                "page-1.ppm is over the limit",
                "it claims 300000018");
    }

    @Test
    void aPageWiderThanTheRendererWasToldIsRefused() throws IOException {
        var r = hostileRenderer(
                "printf 'P6\n1651 1\n255\n' > /out/page-1.ppm; head -c 4953 /dev/zero " + ">> /out/page-1.ppm");
        assertThat(r.code()).isNotZero();
        assertThat(r.report()).contains("more than 1650 pixels a side").doesNotContain("page(s) ->");
    }

    @Test
    void moreThanTheMostPagesIsRefusedInOneSummarizedReport() throws IOException {
        var r = hostileRenderer(
                "cd /out; i=1; while [ $i -le 1200 ]; do printf 'P6 1 1 255 xxx' > page-$i.ppm; " + "i=$((i+1)); done");
        assertThat(r.code()).as(r.report()).isNotZero();
        assertThat(r.report()).contains("at most 1000 pages", "no safe view was made");
        assertThat(r.report().lines().count()).as(r.report()).isLessThan(20);
    }

    private static List<?> toList(Iterable<?> it) {
        List<Object> l = new java.util.ArrayList<>();
        it.forEach(l::add);
        return l;
    }
}
