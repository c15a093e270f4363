package io.isola.task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Office documents the tests make themselves: flat OpenDocument XML written here, converted to every office format by
 * the host's LibreOffice (with a throwaway profile, so the tests never touch root's). The page counts are known by
 * construction: a text of {@value #TEXT_PAGES} pages (explicit page breaks), a spreadsheet of {@value #SHEETS} sheets,
 * a presentation of {@value #SLIDES} slides, a drawing of {@value #DRAWING_PAGES} pages.
 */
final class TestDocuments {
    static final int TEXT_PAGES = 3, SHEETS = 2, SLIDES = 2, DRAWING_PAGES = 2;

    private static final String NS = " xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
            + " xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\""
            + " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\""
            + " xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\""
            + " xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\""
            + " xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\""
            + " xmlns:svg=\"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0\""
            + " xmlns:xlink=\"http://www.w3.org/1999/xlink\" office:version=\"1.3\"";

    private TestDocuments() {}

    /** A text of {@link #TEXT_PAGES} pages; {@code extra} goes into the first page (an image, a link…). */
    static String text(String extra) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document" + NS
                + " office:mimetype=\"application/vnd.oasis.opendocument.text\"><office:automatic-styles>"
                + "<style:style style:name=\"Break\" style:family=\"paragraph\"><style:paragraph-properties"
                + " fo:break-before=\"page\"/></style:style></office:automatic-styles><office:body><office:text>");
        for (int i = 1; i <= TEXT_PAGES; i++) {
            b.append(i == 1 ? "<text:p>" : "<text:p text:style-name=\"Break\">")
                    .append("Page ")
                    .append(i)
                    .append(" of the report</text:p>");
            if (i == 1) {
                b.append(extra);
            }
        }
        return b.append("</office:text></office:body></office:document>").toString();
    }

    static String spreadsheet() {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document" + NS
                + " office:mimetype=\"application/vnd.oasis.opendocument.spreadsheet\"><office:body>"
                + "<office:spreadsheet>");
        for (int i = 1; i <= SHEETS; i++) {
            b.append("<table:table table:name=\"Sheet")
                    .append(i)
                    .append("\"><table:table-row><table:table-cell>")
                    .append("<text:p>Sheet ")
                    .append(i)
                    .append("</text:p></table:table-cell></table:table-row>")
                    .append("</table:table>");
        }
        return b.append("</office:spreadsheet></office:body></office:document>").toString();
    }

    /** A presentation ({@code presentation}) or a drawing of the given pages, each with a text box. */
    static String pages(String kind, int count) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document" + NS
                + " office:mimetype=\"application/vnd.oasis.opendocument." + kind + "\"><office:body><office:"
                + (kind.equals("graphics") ? "drawing" : kind) + ">");
        for (int i = 1; i <= count; i++) {
            b.append("<draw:page draw:name=\"p")
                    .append(i)
                    .append("\"><draw:frame svg:x=\"2cm\" svg:y=\"2cm\"")
                    .append(" svg:width=\"12cm\" svg:height=\"3cm\"><draw:text-box><text:p>Page ")
                    .append(i)
                    .append("</text:p></draw:text-box></draw:frame></draw:page>");
        }
        return b.append("</office:")
                .append(kind.equals("graphics") ? "drawing" : kind)
                .append("></office:body></office:document>")
                .toString();
    }

    /**
     * Writes {@code flatXml} as {@code dir/stem.SOURCE_EXT} and has the host's LibreOffice convert it to each of
     * {@code targets} (an extension, or {@code ext:Filter Name}); returns the converted files in the same order.
     */
    static List<Path> convert(Path dir, String stem, String sourceExt, String flatXml, String... targets)
            throws IOException, InterruptedException {
        Path src = Files.writeString(dir.resolve(stem + "." + sourceExt), flatXml);
        Path work = Files.createTempDirectory(dir, ".lo");
        List<Path> made = new ArrayList<>();
        try {
            for (String target : targets) {
                String ext = target.contains(":") ? target.substring(0, target.indexOf(':')) : target;
                run(
                        work,
                        "soffice",
                        "-env:UserInstallation=" + work.resolve("profile").toUri(),
                        "--headless",
                        "--convert-to",
                        target,
                        "--outdir",
                        work.resolve("out").toString(),
                        src.toString());
                Path out = work.resolve("out").resolve(stem + "." + ext);
                if (!Files.isRegularFile(out)) {
                    throw new IOException("LibreOffice did not make " + out.getFileName());
                }
                made.add(Files.move(out, dir.resolve(stem + "." + ext)));
            }
        } finally {
            TaskHarness.delete(work);
            Files.delete(src);
        }
        return made;
    }

    static void run(Path dir, String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("log").toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(argv[0] + " took over 2 minutes");
        }
    }
}
