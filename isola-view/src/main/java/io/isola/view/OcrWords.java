package io.isola.view;

import io.isola.core.IsolaException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The words Tesseract found on a page, read from its TSV output as hostile input: the cell that ran Tesseract also
 * read the document. Only plain text and a box in the page's pixels come out of it; {@link CleanPdf} alone decides
 * how they become a PDF's invisible text layer.
 *
 * <p>The format is Tesseract's {@code tsv}: a fixed header line, then one line per layout element of twelve
 * tab-separated fields ({@code level page_num block_num par_num line_num word_num left top width height conf text}).
 * Lines of level 5 are words; the others must have no text. Everything is checked: the file's size before it is read,
 * strict UTF-8, the field count, numbers of at most 9 digits, boxes inside the page, words of at most
 * {@value #MAX_WORD_CHARS} characters with no control characters, at most {@value #MAX_WORDS} words.
 */
public final class OcrWords {
    /** One word and its box, in the page's pixels from the top left. */
    public record Word(int left, int top, int width, int height, String text) {}

    /** The most bytes of one page's TSV: a dense page of small print is ~150 KB. */
    public static final int MAX_BYTES = 4 << 20;
    /** The most words taken from one page. */
    public static final int MAX_WORDS = 50_000;
    /** The longest word, in characters. */
    public static final int MAX_WORD_CHARS = 200;

    static final String HEADER =
            "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext";
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,9}");
    private static final Pattern CONFIDENCE = Pattern.compile("-1|[0-9]{1,3}(\\.[0-9]{1,9})?");

    private OcrWords() {}

    /**
     * Reads the words of a page of {@code width} × {@code height} pixels from {@code tsv}.
     *
     * @throws IsolaException naming the file if it is not a regular file, too large, or anything but Tesseract's TSV
     */
    public static List<Word> read(Path tsv, int width, int height) {
        String name = tsv.getFileName().toString();
        byte[] bytes;
        try {
            BasicFileAttributes a = Files.readAttributes(tsv, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw bad(name, "not a regular file");
            }
            if (a.size() > MAX_BYTES) {
                throw bad(name, a.size() + " bytes, more than " + MAX_BYTES);
            }
            try (InputStream in = Files.newInputStream(tsv, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
        } catch (IOException e) {
            throw bad(name, "cannot be read: " + e.getMessage());
        }
        if (bytes.length > MAX_BYTES) {
            throw bad(name, "more than " + MAX_BYTES + " bytes");
        }
        return parse(name, bytes, width, height);
    }

    /** Parses TSV {@code bytes} (see {@link #read}); {@code name} only names the file in errors. */
    static List<Word> parse(String name, byte[] bytes, int width, int height) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad(name, "not UTF-8");
        }
        String[] lines = text.split("\n", -1);
        if (!lines[0].equals(HEADER)) {
            throw bad(name, "its first line is not Tesseract's TSV header");
        }
        List<Word> words = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty() && i == lines.length - 1) {
                break; // the final newline
            }
            String[] f = line.split("\t", -1);
            if (f.length != 12) {
                throw bad(name, "line " + (i + 1) + " has " + f.length + " fields, not 12");
            }
            int[] n = new int[10];
            for (int j = 0; j < 10; j++) {
                if (!NUMBER.matcher(f[j]).matches()) {
                    throw bad(name, "line " + (i + 1) + ", field " + (j + 1) + " is not a number");
                }
                n[j] = Integer.parseInt(f[j]);
            }
            if (!CONFIDENCE.matcher(f[10]).matches()) {
                throw bad(name, "line " + (i + 1) + " has no confidence");
            }
            int level = n[0], left = n[6], top = n[7], w = n[8], h = n[9];
            if (level < 1 || level > 5) {
                throw bad(name, "line " + (i + 1) + " has level " + level);
            }
            if ((long) left + w > width || (long) top + h > height) {
                throw bad(name, "line " + (i + 1) + " has a box outside the page");
            }
            String word = f[11];
            if (level != 5) {
                if (!word.isEmpty()) {
                    throw bad(name, "line " + (i + 1) + " has text on a line that is not a word");
                }
                continue;
            }
            if (word.codePointCount(0, word.length()) > MAX_WORD_CHARS) {
                throw bad(name, "line " + (i + 1) + " has a word longer than " + MAX_WORD_CHARS + " characters");
            }
            if (word.codePoints()
                    .anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
                throw bad(name, "line " + (i + 1) + " has a control character");
            }
            if (word.isBlank() || w == 0 || h == 0) {
                continue; // nothing to place
            }
            if (words.size() == MAX_WORDS) {
                throw bad(name, "more than " + MAX_WORDS + " words");
            }
            words.add(new Word(left, top, w, h, word.strip()));
        }
        return List.copyOf(words);
    }

    private static IsolaException bad(String name, String why) {
        return new IsolaException(
                "the OCR text " + io.isola.core.TerminalText.printable(name) + " was refused (" + why + ")");
    }
}
