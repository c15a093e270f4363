package io.isola.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * HTML and EPUB in the cell: WeasyPrint (Debian's, through the system Python in isolated mode) lays the document out
 * into a PDF in the cell's tmpfs, and pdftoppm turns that into pages as for any PDF. WeasyPrint runs no script; the
 * program it runs ({@code render_html.py}) fetches nothing but {@code data:} URLs and, for an EPUB, the book's own
 * files, read from its zip within size limits so that a decompression bomb is refused.
 */
final class WebRenderer {
    private static final String PDF = "/tmp/isola-web.pdf";
    private static final String SCRIPT = """
            /usr/bin/python3 -I -c "$2" "$3" "$1" %1$s 2>/tmp/isola-web.log
            code=$?
            if [ $code -ne 0 ]; then grep '^render: ' /tmp/isola-web.log | tail -1 >&2; exit $code; fi
            pages %1$s
            """.formatted(PDF);
    private static final String PROGRAM = program();

    private WebRenderer() {}

    static boolean handles(String type) {
        return type.equals("text/html") || type.equals("application/xhtml+xml") || isBook(type);
    }

    static List<String> argv(String type, String input) {
        return List.of(
                "/bin/sh", "-c", Renderers.PDF_PAGES + SCRIPT, "web", input, PROGRAM, isBook(type) ? "epub" : "html");
    }

    private static boolean isBook(String type) {
        return type.equals("application/epub+zip");
    }

    private static String program() {
        try (InputStream in = WebRenderer.class.getResourceAsStream("render_html.py")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
