package io.isola.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes a text PDF of N letter pages, like a typical report, for the safe-view benchmark. */
final class SamplePdf {
    private SamplePdf() {}

    static Path write(Path file, int pages) throws IOException {
        List<String> objects = new ArrayList<>();
        objects.add("<< /Type /Catalog /Pages 2 0 R >>");
        StringBuilder kids = new StringBuilder();
        for (int p = 0; p < pages; p++) {
            kids.append(4 + 2 * p).append(" 0 R ");
        }
        objects.add("<< /Type /Pages /Kids [" + kids + "] /Count " + pages + " >>");
        objects.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        for (int p = 0; p < pages; p++) {
            StringBuilder text = new StringBuilder("BT /F1 11 Tf 72 740 Td 14 TL\n");
            text.append("(Quarterly report, page ")
                    .append(p + 1)
                    .append(" of ")
                    .append(pages)
                    .append(") '\n");
            for (int line = 0; line < 44; line++) {
                text.append("(Line ")
                        .append(line + 1)
                        .append(": revenue, costs and the outlook for the next quarter, in some detail.) '\n");
            }
            text.append("ET\n");
            objects.add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
                    + " /Contents " + (5 + 2 * p) + " 0 R >>");
            objects.add("<< /Length " + text.length() + " >>\nstream\n" + text + "endstream");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII));
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            offsets.add(out.size());
            out.write(((i + 1) + " 0 obj\n" + objects.get(i) + "\nendobj\n").getBytes(StandardCharsets.US_ASCII));
        }
        int xref = out.size();
        StringBuilder t = new StringBuilder("xref\n0 " + (objects.size() + 1) + "\n0000000000 65535 f \n");
        for (int o : offsets) {
            t.append(String.format("%010d 00000 n \n", o));
        }
        t.append("trailer\n<< /Size ")
                .append(objects.size() + 1)
                .append(" /Root 1 0 R >>\nstartxref\n")
                .append(xref)
                .append("\n%%EOF\n");
        out.write(t.toString().getBytes(StandardCharsets.US_ASCII));
        return Files.write(file, out.toByteArray());
    }
}
