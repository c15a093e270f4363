package io.isola.task;

import io.isola.core.IsolaException;
import io.isola.core.TaskFiles;
import io.isola.view.SafeView;
import io.isola.view.render.Render;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which program turns a document into pixels inside the cell. Every one writes {@code /out/page-N.ppm} and nothing
 * else leaves: PDFs go through poppler's pdftoppm; images and text through Isola's own renderer (the JDK alone, given
 * to the cell as a second input at {@link #RENDERER_IN_CELL}, which every engine supports), WebP, netpbm and SVG
 * after a Debian tool of the image made them a PNG in the cell's tmpfs; office documents through LibreOffice to a
 * PDF in the cell's tmpfs first ({@link OfficeRenderer}), HTML and EPUB through WeasyPrint ({@link WebRenderer}). The tools run in the cell, never on the host.
 *
 * @param argv the command in the cell
 * @param kind what the host rebuilds
 * @param dpi the resolution the host gives the pages
 * @param renderer the host path of Isola's renderer classes to show in the cell, or null
 */
record Renderers(List<String> argv, SafeView.Kind kind, int dpi, Path renderer) {
    static final String RENDERER_IN_CELL = "/opt/isola/renderer";
    /** Decoded by the JDK itself (TIFF: every page of it). */
    private static final Set<String> IMAGES =
            Set.of("image/png", "image/jpeg", "image/gif", "image/bmp", "image/x-ms-bmp", "image/tiff");
    /** Where a converting tool leaves its PNG in the cell: its tmpfs, within the cell's disk quota. */
    private static final String PNG_IN_CELL = "/tmp/isola-view.png";

    static Renderers forType(String type, String input) {
        if (type.equals("application/pdf")) {
            return new Renderers(pdftoppm(input), SafeView.Kind.PDF, SafeView.PDFTOPPM_DPI, null);
        }
        if (IMAGES.contains(type)) {
            Renderers r = java("image", input, SafeView.Kind.PNG, SafeView.IMAGE_DPI);
            // a TIFF may hold many pages: those become a PDF, like any document of pages
            return type.equals("image/tiff") ? r.as(SafeView.Kind.PDF) : r;
        }
        if (type.equals("image/webp")) { // dwebp (Debian's webp) decodes; the JDK renderer checks size and scales
            return viaPng("dwebp -quiet \"$1\" -o " + PNG_IN_CELL, input);
        }
        if (type.startsWith("image/x-portable-")) { // pbm, pgm, ppm, pnm (netpbm)
            return viaPng("pnmtopng -quiet \"$1\" > " + PNG_IN_CELL, input);
        }
        if (type.equals("image/svg+xml")) {
            // rsvg-convert draws at most a page's size; librsvg loads no URL but data: and files beside the SVG,
            // and the cell holds nothing beside it and has no network
            return viaPng(
                    "rsvg-convert --keep-aspect-ratio --background-color=white -w " + SafeView.MAX_PAGE_SIDE + " -h "
                            + SafeView.MAX_PAGE_SIDE + " -o " + PNG_IN_CELL + " \"$1\"",
                    input);
        }
        // before text: Tika files HTML, RTF and flat OpenDocument (XML) under text, and they are documents
        if (type.equals(MailRenderer.TYPE)) {
            Renderers text = java("text", MailRenderer.textInCell(), SafeView.Kind.PDF, SafeView.TEXT_DPI);
            return new Renderers(MailRenderer.argv(input, text), text.kind(), text.dpi(), text.renderer());
        }
        if (WebRenderer.handles(type)) {
            return new Renderers(WebRenderer.argv(type, input), SafeView.Kind.PDF, SafeView.PDFTOPPM_DPI, null);
        }
        if (OfficeRenderer.handles(type)) {
            return new Renderers(OfficeRenderer.argv(input), SafeView.Kind.PDF, SafeView.PDFTOPPM_DPI, null);
        }
        if (TypeDetector.isText(type)) { // a shell script, JSON or XML is shown as the text it is
            return java("text", input, SafeView.Kind.PDF, SafeView.TEXT_DPI);
        }
        throw new IsolaException(
                "the safe view renders PDF, office documents (Word, Excel, PowerPoint, OpenDocument, RTF), HTML, EPUB, "
                        + "e-mail messages, zip and tar archives, "
                        + "images "
                        + "(PNG, JPEG, GIF, BMP, TIFF, WebP, netpbm, SVG) and text of any kind; this is " + type
                        + ": open it without --view",
                2);
    }

    /**
     * The same, rendering at most {@code maxPages} pages where a document of pages goes through {@link #PDF_PAGES}
     * (which reads {@code max}); the JDK renderer keeps its own bounds, which the host's page limit backs.
     */
    Renderers limitedTo(int maxPages) {
        return pagesSet("max=" + maxPages, dpi);
    }

    /**
     * The same, with pages of {@code longSide} pixels on their long side (at most {@link SafeView#MAX_PAGE_SIDE})
     * where a document of pages goes through {@link #PDF_PAGES}: fewer pixels, a smaller and less sharp view. The
     * long side stays 11 inches.
     */
    Renderers sharpness(int longSide) {
        if (longSide < 1 || longSide > SafeView.MAX_PAGE_SIDE) {
            throw new IllegalArgumentException("a page side of " + longSide + " pixels");
        }
        return pagesSet("side=" + longSide, Math.max(1, Math.round(longSide / 11f)));
    }

    /**
     * The same, with a PDF's pages written to the cell's standard output, one PPM after another as pdftoppm renders
     * them, for the host to read as they come ({@link PageStream}); this renderer if it does not go through
     * {@link #PDF_PAGES}.
     */
    Renderers streaming() {
        return pagesSet("stream=1", dpi);
    }

    /** Whether the pages come out on standard output (see {@link #streaming}). */
    boolean streams() {
        return argv.size() > 2
                && argv.get(2).lines().takeWhile(l -> !l.startsWith("pages()")).anyMatch("stream=1"::equals);
    }

    private Renderers pagesSet(String assignment, int newDpi) {
        if (argv.size() < 3 || !argv.get(0).equals("/bin/sh") || !argv.get(2).contains("pages() {")) {
            return this;
        }
        List<String> set = new ArrayList<>(argv);
        set.set(2, assignment + "\n" + argv.get(2));
        return new Renderers(List.copyOf(set), kind, newDpi, renderer);
    }

    private Renderers as(SafeView.Kind other) {
        return new Renderers(argv, other, dpi, renderer);
    }

    /** A Debian tool converts the input to a PNG in the cell; the JDK renderer then checks, scales and writes it. */
    private static Renderers viaPng(String convert, String input) {
        Renderers java = java("image", PNG_IN_CELL, SafeView.Kind.PNG, SafeView.IMAGE_DPI);
        String script = convert + " || { echo \"render: cannot be rendered: the image is corrupt or unsupported\" >&2; "
                + "exit 3; }; shift; exec \"$@\"";
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", script, "view", input));
        argv.addAll(java.argv());
        return new Renderers(argv, java.kind(), java.dpi(), java.renderer());
    }

    /**
     * What the renderer of {@code type} needs that the vm engine's image does not carry (its {@code /usr} is the
     * host's without {@code lib/libreoffice} and {@code lib/python3*}; see docs/vm.md), or null.
     */
    static String notInVmImage(String type) {
        if (OfficeRenderer.handles(type)) {
            return "LibreOffice";
        }
        if (WebRenderer.handles(type) || type.equals(MailRenderer.TYPE) || ContainerView.handles(type)) {
            return "Python";
        }
        return null;
    }

    /**
     * Where a PDF's password is in the cell, when the user gave {@code --password-file}: a file, read by qpdf's
     * {@code --password-file}, so the password is never on a command line (which {@code /proc} shows every user).
     */
    static final String PASSWORD_DIR_IN_CELL = "/opt/isola/password";

    static final String PASSWORD_IN_CELL = PASSWORD_DIR_IN_CELL + "/password";

    /**
     * A shell function, {@code pages PDF}, that renders every page of a PDF in the cell to {@code /out/page-N.ppm}
     * with pdftoppm: the first page at once, while pdfinfo counts the pages (so a one-page document waits for
     * nothing), the others split in runs over the cell's processors, one pdftoppm each (poppler renders on one
     * thread), so a long document takes about half the time on two. {@code -scale-to} bounds every page, whatever
     * size the document claims; PPM is pdftoppm's default format, and its names are padded to the width of the
     * document's page count whatever the run, so the runs' files make one sequence. An encrypted PDF is named as such.
     * With {@code stream} set ({@link #streaming}), one pdftoppm writes every page to standard output instead, in order,
     * while the host reads and compresses them on the other processor: both cores work, and no page file is made.
     */
    static final String PDF_PAGES =
            """
            pages() {
              if [ -f %3$s ]; then
                qpdf --password-file=%3$s --decrypt "$1" /tmp/isola-decrypted.pdf 2>/tmp/isola-qpdf.log; q=$?
                if [ $q -ne 0 ] && [ $q -ne 3 ]; then
                  if grep -qi 'invalid password' /tmp/isola-qpdf.log; then
                    echo "render: the password in --password-file does not open this document" >&2
                  else
                    echo "render: cannot be rendered: qpdf could not decrypt it" >&2
                  fi
                  exit 3
                fi
                set -- /tmp/isola-decrypted.pdf
              fi
              if [ -n "${stream:-}" ]; then
                pdfinfo "$1" >/tmp/isola-pdfinfo.out 2>/tmp/isola-pdfinfo.log & info=$!
                pdftoppm -r 100 -scale-to ${side:-%1$d} -l ${max:-%2$d} "$1" 2>/tmp/isola-pdftoppm.log; s=$?
                wait $info
                if grep -qi 'incorrect password' /tmp/isola-pdfinfo.log; then
                  echo "render: this document is encrypted; give --password-file (a file whose first line is its password)" >&2
                  exit 3
                fi
                n=$(sed -n 's/^Pages: *//p' /tmp/isola-pdfinfo.out)
                case "$n" in ''|*[!0-9]*) n=0;; esac
                if [ "$n" -gt "${max:-%2$d}" ]; then
                  echo "render: the document has $n pages; the first ${max:-%2$d} were rendered (--max-pages)" >&2
                fi
                [ $s -eq 0 ] || head -c 2000 /tmp/isola-pdftoppm.log >&2
                exit $s
              fi
              pdftoppm -r 100 -scale-to ${side:-%1$d} -f 1 -l 1 "$1" /out/page 2>/tmp/isola-pdftoppm.log & first=$!
              n=$(pdfinfo "$1" 2>/tmp/isola-pdfinfo.log | sed -n 's/^Pages: *//p')
              if grep -qi 'incorrect password' /tmp/isola-pdfinfo.log; then
                wait $first
                echo "render: this document is encrypted; give --password-file (a file whose first line is its password)" >&2
                exit 3
              fi
              k=$(nproc 2>/dev/null || echo 1); [ "$k" -gt 4 ] && k=4
              case "$n" in ''|*[!0-9]*) n=1;; esac
              if [ "$n" -gt "${max:-%2$d}" ]; then
                echo "render: the document has $n pages; the first ${max:-%2$d} were rendered (--max-pages)" >&2
                n=${max:-%2$d}
              fi
              per=$(( (n - 1 + k - 1) / k )); f=2; pids=$first
              while [ $f -le $n ]; do
                l=$((f + per - 1)); [ $l -gt $n ] && l=$n
                pdftoppm -r 100 -scale-to ${side:-%1$d} -f $f -l $l "$1" /out/page & pids="$pids $!"
                f=$((l + 1))
              done
              s=0; for p in $pids; do wait $p || s=$?; done
              [ $s -eq 0 ] || head -c 2000 /tmp/isola-pdftoppm.log >&2
              exit $s
            }
            """.formatted(SafeView.PDFTOPPM_LONG_SIDE, SafeView.Limits.DEFAULT.maxPages(), PASSWORD_IN_CELL);

    /**
     * Runs the renderer given as its arguments, then Tesseract over every page it left, {@code $1} the languages and
     * {@code $2} the pages' resolution: one Tesseract per processor (at most 4) over a share of the pages, each on
     * one thread (its OpenMP threads fight each other on a busy machine: 1.3 s against 7-9 s for a page here). Each
     * writes {@code page-N.tsv} beside {@code page-N.ppm}: words and boxes, which the host reads as hostile text.
     */
    static final String OCR = """
            langs=$1; dpi=$2; shift 2
            "$@" || exit $?
            set -- /out/page-*.ppm
            [ -f "$1" ] || exit 0
            k=$(nproc 2>/dev/null || echo 1); [ "$k" -gt 4 ] && k=4; [ "$k" -gt $# ] && k=$#
            export OMP_THREAD_LIMIT=1
            w=0; pids=
            while [ $w -lt $k ]; do
              i=0
              for f in "$@"; do
                [ $((i % k)) -eq $w ] && echo "$f"
                i=$((i + 1))
              done > /tmp/isola-ocr-$w.list
              ( while read -r f; do
                  tesseract "$f" "${f%.ppm}" --dpi "$dpi" -l "$langs" tsv 2>>/tmp/isola-ocr.log || exit 1
                done < /tmp/isola-ocr-$w.list ) & pids="$pids $!"
              w=$((w + 1))
            done
            s=0; for p in $pids; do wait $p || s=1; done
            [ $s -eq 0 ] && exit 0
            echo "render: OCR failed: $(grep -vE '^(Estimating|Detected|Warning)' /tmp/isola-ocr.log | head -n 2 | tr -c '[:print:]' ' ')" >&2
            exit 3
            """;

    /**
     * The same renderer followed by Tesseract in {@code languages} over its pages, in the same cell; the result is a
     * PDF (a PNG has no text layer).
     */
    Renderers withOcr(String languages) {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", OCR, "ocr", languages, String.valueOf(dpi)));
        wrapped.addAll(argv);
        return new Renderers(List.copyOf(wrapped), SafeView.Kind.PDF, dpi, renderer);
    }

    private static List<String> pdftoppm(String input) {
        return List.of("/bin/sh", "-c", PDF_PAGES + "pages \"$1\"", "pdf", input);
    }

    private static Renderers java(String what, String input, SafeView.Kind kind, int dpi) {
        Path javaHome = Path.of(System.getProperty("java.home"));
        if (!javaHome.startsWith("/usr") && !javaHome.startsWith("/opt")) {
            throw new IsolaException(
                    "the safe view runs its renderer with this JDK (" + javaHome + "), which a cell "
                            + "cannot see: install the JDK under /usr/lib/jvm",
                    2);
        }
        Path classes = rendererClasses();
        String cp = RENDERER_IN_CELL + (Files.isDirectory(classes) ? "" : "/" + classes.getFileName());
        return new Renderers(
                List.of(
                        javaHome.resolve("bin/java").toString(),
                        "-Xshare:auto",
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-XX:-UsePerfData",
                        "-Djava.awt.headless=true",
                        "-cp",
                        cp,
                        Render.class.getName(),
                        what,
                        input,
                        "/out"),
                kind,
                dpi,
                classes);
    }

    /** Where the renderer's classes are on the host: Isola's jar, or a classes directory in a build. */
    static Path rendererClasses() {
        try {
            return Path.of(Render.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The renderer as a task input: its classes directory, or a directory holding only a link to (or a copy of) its
     * jar, made in {@code taskDir}.
     */
    TaskFiles.Input input(Path taskDir) throws java.io.IOException {
        if (Files.isDirectory(renderer)) {
            return new TaskFiles.Input(renderer, RENDERER_IN_CELL);
        }
        Path dir = Files.createDirectories(taskDir.resolve("renderer"));
        Path jar = dir.resolve(renderer.getFileName());
        try {
            Files.createLink(jar, renderer);
        } catch (java.io.IOException | UnsupportedOperationException otherFileSystem) {
            Files.copy(renderer, jar);
        }
        return new TaskFiles.Input(dir, RENDERER_IN_CELL);
    }
}
