package io.isola.view.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders plain text to pages of pixels: UTF-8 (invalid bytes shown as U+FFFD), a monospaced font, pages of
 * A4 at 100 dpi with half-inch margins, long lines wrapped, tabs expanded to stops of 8, a form feed starts a new
 * page, other control characters shown as U+FFFD.
 *
 * <p>Work is bounded: at most {@value #MAX_BYTES} bytes are read and {@value #MAX_PAGES} pages written; whatever is cut
 * is said on stderr.
 */
final class TextRenderer {
    static final int PAGE_WIDTH = 827;
    static final int PAGE_HEIGHT = 1169;
    static final int MARGIN = 50;
    /** 14 pixels is 10 points at 100 dpi. */
    static final float FONT_SIZE = 14f;

    static final int TAB = 8;
    /**
     * The most characters on one line, whatever their width: zero-width characters (U+200B and the like) never fill a
     * line, and one line of millions of them would make a single huge, slow text layout.
     */
    static final int MAX_LINE_CHARS = 512;

    static final int MAX_PAGES = 200;
    /** Far more than 200 pages can show, so the page cap, not this, is what normally cuts. */
    static final int MAX_BYTES = 16 << 20;

    private final FontMetrics metrics;
    private final Font font;
    private final int linesPerPage;
    private final int textWidth;
    private final List<String> page = new ArrayList<>();
    private final Path outDir;
    private int pagesWritten;

    private TextRenderer(Font font, FontMetrics metrics, Path outDir) {
        this.font = font;
        this.metrics = metrics;
        this.outDir = outDir;
        this.textWidth = PAGE_WIDTH - 2 * MARGIN;
        this.linesPerPage = Math.max(1, (PAGE_HEIGHT - 2 * MARGIN) / metrics.getHeight());
    }

    static void render(Path input, Path outDir, PrintStream err) throws RenderFailure {
        ReadText text = read(input);
        Font font = MonospacedFont.find(FONT_SIZE);
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        FontMetrics metrics = probe.getFontMetrics(font);
        probe.dispose();
        TextRenderer r = new TextRenderer(font, metrics, outDir);
        boolean allPages = r.layOut(text.chars) && r.flushPage(true);
        if (!allPages || text.cut) {
            err.println("render: text cut at " + (allPages ? MAX_BYTES + " bytes" : MAX_PAGES + " pages"));
        }
    }

    private record ReadText(String chars, boolean cut) {}

    private static ReadText read(Path input) throws RenderFailure {
        byte[] bytes;
        boolean cut;
        try (InputStream in = Files.newInputStream(input)) {
            bytes = in.readNBytes(MAX_BYTES);
            cut = in.read() >= 0;
        } catch (IOException e) {
            throw RenderFailure.badInput("cannot read " + input + ": " + e.getMessage());
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes));
            return new ReadText(chars.toString(), cut);
        } catch (CharacterCodingException e) {
            throw RenderFailure.badInput("cannot decode the text: " + e.getMessage()); // REPLACE never throws this
        }
    }

    /** Lays the text out in lines and pages; false if it stopped at the page cap. */
    private boolean layOut(String text) throws RenderFailure {
        StringBuilder line = new StringBuilder();
        int column = 0;
        int width = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (c == '\r' || c == '\n') {
                if (c == '\r' && i < text.length() && text.charAt(i) == '\n') {
                    i++;
                }
                if (!addLine(line)) {
                    return false;
                }
                column = 0;
                width = 0;
                continue;
            }
            if (c == '\f') {
                if ((!line.isEmpty() && !addLine(line)) || !flushPage(false)) {
                    return false;
                }
                column = 0;
                width = 0;
                continue;
            }
            String glyphs;
            if (c == '\t') {
                glyphs = " ".repeat(TAB - column % TAB);
            } else if (Character.isISOControl(c)) {
                glyphs = "\uFFFD";
            } else {
                glyphs = Character.toString(c);
            }
            for (int g = 0; g < glyphs.length(); ) {
                int gc = glyphs.codePointAt(g);
                g += Character.charCount(gc);
                int advance = metrics.charWidth(gc);
                if ((width + advance > textWidth || column >= MAX_LINE_CHARS) && !line.isEmpty()) {
                    if (!addLine(line)) {
                        return false;
                    }
                    column = 0;
                    width = 0;
                }
                line.appendCodePoint(gc);
                column++;
                width += advance;
            }
        }
        return line.isEmpty() || addLine(line);
    }

    /** Adds a finished line (and empties the builder); false if the page cap is reached. */
    private boolean addLine(StringBuilder line) throws RenderFailure {
        if (page.size() == linesPerPage && !flushPage(false)) {
            return false;
        }
        page.add(line.toString());
        line.setLength(0);
        return true;
    }

    /**
     * Writes the lines collected so far as the next page. An empty page is written only as the last page of an empty
     * document, so that even an empty file shows as one blank page. False if the page cap is reached.
     */
    private boolean flushPage(boolean last) throws RenderFailure {
        if (last && page.isEmpty() && pagesWritten > 0) {
            return true;
        }
        if (pagesWritten == MAX_PAGES) {
            return false;
        }
        BufferedImage image = new BufferedImage(PAGE_WIDTH, PAGE_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, PAGE_WIDTH, PAGE_HEIGHT);
            g.setColor(Color.BLACK);
            g.setFont(font);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            int y = MARGIN + metrics.getAscent();
            for (String line : page) {
                if (!line.isEmpty()) {
                    g.drawString(line, MARGIN, y);
                }
                y += metrics.getHeight();
            }
        } finally {
            g.dispose();
        }
        PpmWriter.write(image, PpmWriter.pageFile(outDir, ++pagesWritten));
        page.clear();
        return true;
    }
}
