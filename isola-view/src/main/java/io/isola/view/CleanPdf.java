package io.isola.view;

import io.isola.core.IsolaException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes a PDF whose pages are pictures and nothing else, by hand, so that every byte of it is accounted for here.
 *
 * <p>The only objects it ever writes, and why none can carry active content:
 * <ul>
 *   <li>the catalog: {@code /Type /Catalog /Pages}, nothing more. No {@code /OpenAction}, {@code /AA}, {@code /Names}
 *       (so no JavaScript or embedded files), {@code /AcroForm}, {@code /Metadata}, {@code /URI} or outlines;</li>
 *   <li>the page tree: {@code /Kids} and {@code /Count} only;</li>
 *   <li>each page: {@code /MediaBox}, {@code /Resources} naming one image, {@code /Contents}. No {@code /Annots}
 *       (so no links or form fields), no {@code /AA}, no fonts;</li>
 *   <li>each page's content stream: the fixed text {@code q w 0 0 h 0 0 cm /Im0 Do Q}, which only paints the image;</li>
 *   <li>each image: 8-bit {@code /DeviceRGB} samples compressed with Flate, or {@code /DeviceGray} ones when every
 *       pixel is gray, run-length encoded and then compressed with Flate, made here from the pixel array;</li>
 *   <li>the trailer: {@code /Size} and {@code /Root}. No {@code /Info}, so no untrusted strings anywhere.</li>
 * </ul>
 * Numbers are the only values that vary, and they come from the pixmaps' checked sizes, never from the document.
 *
 * <p>Pages are written as they are added, each compressed first ({@link #encode}, which may run on other threads so
 * that several pages are compressed at once); only the pages being compressed are in memory.
 */
public final class CleanPdf implements AutoCloseable {
    /** The resolution pdftoppm renders at in the cell ({@code -r 100}), which makes pixels the right physical size. */
    public static final int DEFAULT_DPI = 100;

    private static final int CATALOG = 1;
    private static final int PAGES = 2;

    private final AtomicOutput output;
    private final CountingStream out;
    private final int dpi;
    /** Byte offset of each object, indexed by object number; index 0 is the free head of the xref table. */
    private final List<Long> offsets = new ArrayList<>(List.of(0L, 0L, 0L));

    private final List<Integer> pageObjects = new ArrayList<>();
    /** The object number of the text layer's font, written at the end; 0 until a page has text. */
    private int font;

    private boolean finished;

    private CleanPdf(AtomicOutput output, int dpi) {
        this.output = output;
        this.out = new CountingStream(new BufferedOutputStream(output.stream(), 1 << 16));
        this.dpi = dpi;
    }

    /**
     * Starts a PDF that will appear at {@code target} when {@link #finish()} succeeds.
     *
     * @throws IsolaException if {@code target} exists (it is never overwritten) or its directory is not writable
     */
    public static CleanPdf create(Path target, int dpi) {
        if (dpi < 1 || dpi > 10_000) {
            throw new IllegalArgumentException("dpi " + dpi + " is out of range");
        }
        CleanPdf pdf = new CleanPdf(AtomicOutput.create(target), dpi);
        try {
            // The binary comment tells transfer tools the file is binary (ISO 32000-1, 7.5.2).
            pdf.write("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
        } catch (RuntimeException e) {
            pdf.close();
            throw e;
        }
        return pdf;
    }

    /** Writes {@code pages} at {@value #DEFAULT_DPI} dpi to {@code target}. */
    public static void write(List<Pixmap> pages, Path target) {
        try (CleanPdf pdf = create(target, DEFAULT_DPI)) {
            for (Pixmap page : pages) {
                pdf.addPage(page);
            }
            pdf.finish();
        }
    }

    /**
     * One page's image, checked and compressed, ready to be written: what {@link #encode} makes, on any thread, so
     * that pages can be compressed side by side while the file is written in order.
     */
    public record EncodedPage(int width, int height, boolean gray, byte[] deflated, List<OcrWords.Word> words) {
        public EncodedPage {
            words = List.copyOf(words);
        }
    }

    /** Compresses {@code pixmap} (one channel when every pixel is gray, as text pages are); safe on any thread. */
    public static EncodedPage encode(Pixmap pixmap) {
        return encode(pixmap, List.of());
    }

    /**
     * Compresses {@code pixmap}, as {@link #encode(Pixmap)}, with {@code words} (checked by {@link OcrWords}) to be
     * written as the page's invisible text layer, under the image.
     */
    public static EncodedPage encode(Pixmap pixmap, List<OcrWords.Word> words) {
        byte[] gray = GrayRuns.encodeOrNull(pixmap.rgb());
        java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream(1 << 18);
        try {
            deflate(gray != null ? gray : pixmap.rgb(), z);
        } catch (IOException e) {
            throw failed(e);
        }
        return new EncodedPage(pixmap.width(), pixmap.height(), gray != null, z.toByteArray(), words);
    }

    /** Appends one page that shows {@code pixmap} at this PDF's resolution. */
    public void addPage(Pixmap pixmap) {
        addPage(encode(pixmap));
    }

    /** Appends one page that shows an image {@link #encode} made, at this PDF's resolution. */
    public void addPage(EncodedPage encoded) {
        if (finished) {
            throw new IllegalStateException("the PDF is already finished");
        }
        boolean text = !encoded.words().isEmpty();
        if (text && font == 0) {
            font = reserve();
        }
        int page = offsets.size();
        int contents = page + 1;
        int image = page + 2;
        int imageLength = page + 3;
        String w = points(encoded.width());
        String h = points(encoded.height());

        object(
                page,
                "<< /Type /Page /Parent " + PAGES + " 0 R /MediaBox [0 0 " + w + " " + h + "]"
                        + " /Resources << /XObject << /Im0 " + image + " 0 R >>"
                        + (text ? " /Font << /F0 " + font + " 0 R >>" : "") + " >> /Contents " + contents
                        + " 0 R >>");

        // The OCR text first, invisible (render mode 3), then the image over it: the only drawing operations.
        byte[] draw = ("q " + w + " 0 0 " + h + " 0 0 cm /Im0 Do Q\n").getBytes(StandardCharsets.US_ASCII);
        if (text) {
            byte[] layer = TextLayer.operators(encoded.words(), encoded.height(), this::pointsOf);
            byte[] all = new byte[layer.length + draw.length];
            System.arraycopy(layer, 0, all, 0, layer.length);
            System.arraycopy(draw, 0, all, layer.length, draw.length);
            java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream(all.length / 4 + 64);
            try {
                deflate(all, z);
            } catch (IOException e) {
                throw failed(e);
            }
            draw = z.toByteArray();
            object(contents, "<< /Length " + draw.length + " /Filter /FlateDecode >>\nstream\n");
        } else {
            object(contents, "<< /Length " + draw.length + " >>\nstream\n");
        }
        writeBytes(draw);
        write("\nendstream");
        endObject();

        // A page of black text on white is gray throughout: one byte a pixel instead of three, a third of the data, and
        // its runs of white collapsed before Flate (GrayRuns): half the CPU, a fifth of the size.
        object(
                image,
                "<< /Type /XObject /Subtype /Image /Width " + encoded.width() + " /Height " + encoded.height()
                        + " /ColorSpace " + (encoded.gray() ? "/DeviceGray" : "/DeviceRGB")
                        + " /BitsPerComponent 8 /Filter "
                        + (encoded.gray() ? "[/FlateDecode /RunLengthDecode]" : "/FlateDecode")
                        + " /Length " + imageLength + " 0 R >>\nstream\n");
        writeBytes(encoded.deflated());
        long length = encoded.deflated().length;
        write("\nendstream");
        endObject();

        object(imageLength, Long.toString(length));
        endObject();
        pageObjects.add(page);
    }

    /** Writes the page tree, catalog, cross-reference table and trailer, and publishes the file at its target. */
    public void finish() {
        if (pageObjects.isEmpty()) {
            throw new IsolaException("a PDF needs at least one page");
        }
        StringBuilder kids = new StringBuilder();
        for (int p : pageObjects) {
            kids.append(p).append(" 0 R ");
        }
        object(PAGES, "<< /Type /Pages /Kids [ " + kids + "] /Count " + pageObjects.size() + " >>");
        endObject();
        if (font != 0) {
            // One of the standard 14 fonts: a name, no font program in the file
            object(font, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
            endObject();
        }
        object(CATALOG, "<< /Type /Catalog /Pages " + PAGES + " 0 R >>");
        endObject();

        long xref = out.count;
        StringBuilder table = new StringBuilder("xref\n0 " + offsets.size() + "\n");
        // Each entry is exactly 20 bytes, its end-of-line included (ISO 32000-1, 7.5.4).
        table.append("0000000000 65535 f\r\n");
        for (int i = 1; i < offsets.size(); i++) {
            table.append(String.format(Locale.ROOT, "%010d 00000 n\r\n", offsets.get(i)));
        }
        table.append("trailer\n<< /Size ")
                .append(offsets.size())
                .append(" /Root ")
                .append(CATALOG)
                .append(" 0 R >>\nstartxref\n")
                .append(xref)
                .append("\n%%EOF\n");
        write(table.toString());
        try {
            out.flush();
        } catch (IOException e) {
            throw failed(e);
        }
        output.publish();
        finished = true;
    }

    /** Removes the unfinished file; after {@link #finish()} it does nothing. */
    @Override
    public void close() {
        output.close();
    }

    /** A number for an object written later. */
    private int reserve() {
        offsets.add(0L);
        return offsets.size() - 1;
    }

    private double pointsOf(int pixels) {
        return pixels * 72.0 / dpi;
    }

    /** Pixels to PDF points (1/72 inch), as a plain decimal with at most 4 places. */
    private String points(int pixels) {
        return BigDecimal.valueOf(pixels * 72L)
                .divide(BigDecimal.valueOf(dpi), 4, RoundingMode.HALF_UP)
                .stripTrailingZeros()
                .toPlainString();
    }

    private void object(int number, String body) {
        while (offsets.size() <= number) {
            offsets.add(0L);
        }
        offsets.set(number, out.count);
        write(number + " 0 obj\n" + body);
    }

    private void endObject() {
        write("\nendobj\n");
    }

    private static void deflate(byte[] data, OutputStream to) throws IOException {
        // Fastest level: a page of pixels is mostly runs of one colour, level 1 is 2.5x faster and ~1.6x larger.
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            DeflaterOutputStream z = new DeflaterOutputStream(to, deflater, 1 << 16);
            z.write(data);
            z.finish();
        } finally {
            deflater.end();
        }
    }

    private void write(String s) {
        writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void writeBytes(byte[] b) {
        try {
            out.write(b);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private static IsolaException failed(IOException e) {
        return new IsolaException("cannot write the PDF: " + e.getMessage());
    }

    /** Counts bytes written, for the cross-reference offsets. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
