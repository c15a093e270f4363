package io.isola.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;

/**
 * Checks that a PDF is what CleanPdf promises: pages that show one image each and nothing else. Two independent
 * views: PDFBox's object model, and the file's own bytes outside its streams.
 */
final class RasterOnlyPdf {
    /** Every name CleanPdf may write outside a stream. Anything else (a /JS, an /Annots, a /Font…) fails the test. */
    static final Set<String> ALLOWED_NAMES = Set.of(
            "Type",
            "Catalog",
            "Pages",
            "Page",
            "Kids",
            "Count",
            "Parent",
            "MediaBox",
            "Resources",
            "XObject",
            "Im0",
            "Contents",
            "Length",
            "Subtype",
            "Image",
            "Width",
            "Height",
            "ColorSpace",
            "DeviceRGB",
            "DeviceGray",
            "BitsPerComponent",
            "Filter",
            "FlateDecode",
            "RunLengthDecode",
            "Size",
            "Root");

    private static final Pattern STREAM = Pattern.compile("stream\n.*?\nendstream", Pattern.DOTALL);
    private static final Pattern NAME = Pattern.compile("/([A-Za-z0-9#._-]+)");

    private RasterOnlyPdf() {}

    /** Asserts the structure, and returns the document (open) for further checks. */
    static PDDocument check(Path pdf, int pages) throws IOException {
        assertOnlyAllowedNames(pdf);
        assertXrefOffsetsPointAtTheirObjects(pdf);
        PDDocument doc = Loader.loadPDF(pdf.toFile());
        assertThat(doc.getNumberOfPages()).isEqualTo(pages);
        COSDictionary catalog = doc.getDocumentCatalog().getCOSObject();
        for (COSName active : new COSName[] {
            COSName.OPEN_ACTION,
            COSName.AA,
            COSName.NAMES,
            COSName.ACRO_FORM,
            COSName.METADATA,
            COSName.OUTLINES,
            COSName.URI,
            COSName.DESTS
        }) {
            assertThat(catalog.containsKey(active))
                    .as("catalog has %s", active.getName())
                    .isFalse();
        }
        assertThat(doc.getDocument().getTrailer().containsKey(COSName.INFO))
                .as("trailer has /Info")
                .isFalse();
        assertThat(doc.getDocument().getTrailer().containsKey(COSName.ENCRYPT)).isFalse();
        for (PDPage page : doc.getPages()) {
            assertThat(page.getAnnotations()).as("annotations").isEmpty();
            assertThat(page.getCOSObject().containsKey(COSName.AA))
                    .as("page /AA")
                    .isFalse();
            assertThat(page.getResources().getFontNames()).as("fonts").isEmpty();
            assertThat(page.getResources().getXObjectNames()).hasSize(1);
            assertThat(page.getResources().getXObject(COSName.getPDFName("Im0")))
                    .isInstanceOf(PDImageXObject.class);
        }
        return doc;
    }

    static PDImageXObject image(PDPage page) throws IOException {
        return (PDImageXObject) page.getResources().getXObject(COSName.getPDFName("Im0"));
    }

    static void assertOnlyAllowedNames(Path pdf) throws IOException {
        String outsideStreams = STREAM.matcher(Files.readString(pdf, StandardCharsets.ISO_8859_1))
                .replaceAll("");
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(outsideStreams);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).isSubsetOf(ALLOWED_NAMES);
        assertThat(outsideStreams)
                .doesNotContain("(")
                .doesNotContain("<>")
                .doesNotContain("<0")
                .doesNotContain("<F");
    }

    /** PDFBox repairs a broken xref silently, so the table is checked by hand: each offset starts "N 0 obj". */
    static void assertXrefOffsetsPointAtTheirObjects(Path pdf) throws IOException {
        byte[] bytes = Files.readAllBytes(pdf);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("%PDF-1.4\n%").endsWith("%%EOF\n");
        Matcher start = Pattern.compile("startxref\n(\\d+)\n%%EOF\n$").matcher(text);
        assertThat(start.find()).as("startxref at the end").isTrue();
        int xref = Integer.parseInt(start.group(1));
        Matcher head = Pattern.compile("xref\n0 (\\d+)\n").matcher(text).region(xref, text.length());
        assertThat(head.lookingAt()).as("xref at startxref").isTrue();
        int count = Integer.parseInt(head.group(1));
        int entries = head.end();
        assertThat(text.substring(entries, entries + 20)).isEqualTo("0000000000 65535 f\r\n");
        for (int i = 1; i < count; i++) {
            String entry = text.substring(entries + 20 * i, entries + 20 * i + 20);
            assertThat(entry).matches("\\d{10} 00000 n\r\n");
            int offset = Integer.parseInt(entry.substring(0, 10));
            assertThat(text.startsWith(i + " 0 obj\n", offset))
                    .as("object %d at offset %d", i, offset)
                    .isTrue();
        }
        assertThat(text.substring(entries + 20 * count)).startsWith("trailer\n");
    }
}
