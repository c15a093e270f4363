package io.isola.view;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.IntToDoubleFunction;

/**
 * The operators of a page's invisible text layer: each OCR word in Helvetica (one of the PDF's standard fonts, so no
 * font program is written) at its box, stretched to the box's width, in render mode 3 (neither filled nor stroked:
 * there to be found, searched and copied, never seen). Words are written as hex strings of WinAnsi bytes, so nothing
 * a word holds can end its string or become an operator; a character WinAnsi lacks becomes {@code ?}.
 */
final class TextLayer {
    /** Helvetica's mean advance width, in thousandths of the font size, for stretching a word to its box. */
    private static final double MEAN_ADVANCE = 0.5;

    private static final Charset WIN_ANSI = Charset.forName("windows-1252");

    private TextLayer() {}

    /** The text object for {@code words} on a page {@code pageHeight} pixels high; {@code points} converts pixels. */
    static byte[] operators(List<OcrWords.Word> words, int pageHeight, IntToDoubleFunction points) {
        StringBuilder s = new StringBuilder(words.size() * 64);
        s.append("BT\n3 Tr\n");
        double pageTop = points.applyAsDouble(pageHeight);
        CharsetEncoder winAnsi = WIN_ANSI.newEncoder();
        for (OcrWords.Word w : words) {
            byte[] bytes = winAnsi(w.text(), winAnsi);
            double size = Math.max(1, points.applyAsDouble(w.height()));
            double width = points.applyAsDouble(w.width());
            double stretch = Math.clamp(100 * width / (bytes.length * MEAN_ADVANCE * size), 1, 1000);
            double x = points.applyAsDouble(w.left());
            double baseline = pageTop - points.applyAsDouble(w.top() + w.height()) + 0.15 * size;
            s.append(String.format(
                    Locale.ROOT,
                    "/F0 %.2f Tf %.2f Tz 1 0 0 1 %.2f %.2f Tm <%s> Tj\n",
                    size,
                    stretch,
                    x,
                    baseline,
                    HexFormat.of().formatHex(bytes)));
        }
        s.append("ET\n");
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] winAnsi(String text, CharsetEncoder encoder) {
        ByteBuffer out = ByteBuffer.allocate(text.length());
        text.codePoints().forEach(c -> {
            String one = Character.toString(c);
            if (c >= 0x20 && encoder.canEncode(one)) {
                try {
                    out.put(encoder.encode(CharBuffer.wrap(one)).get());
                } catch (java.nio.charset.CharacterCodingException e) {
                    out.put((byte) '?');
                }
            } else {
                out.put((byte) '?');
            }
        });
        byte[] b = new byte[out.position()];
        out.flip().get(b);
        return b;
    }
}
