package io.isola.core.output;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Names a cell chose, made safe to keep and to print. A name can attack the user without any byte of content: a
 * leading dot hides it ({@code .bash_profile}, run at the next login), a leading dash turns it into an option of the
 * next {@code rm *} ({@code -rf}), control characters drive the terminal, and Unicode format characters (bidi
 * overrides, zero-width characters) make a + U+202E + {@code txt.exe} read as {@code aexe.txt}.
 */
final class OutputNames {
    static final int MAX_NAME_BYTES = 255;

    private OutputNames() {}

    /**
     * Whether a code point may not appear in a kept name nor raw on a terminal: C0/C1 controls, format characters
     * (Unicode category Cf: bidi controls U+202A–202E and U+2066–2069, zero-width U+200B–200F, U+FEFF, tags…), line and
     * paragraph separators, lone surrogates and the replacement character (what an undecodable byte became).
     */
    static boolean unsafe(int c) {
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || c == 0xfffd;
    }

    /**
     * One path component made safe: unsafe code points become '_', a leading dot or dash gets a '_' before it (so
     * nothing comes out hidden or option-like), and an overlong name is cut and tagged with a hash of the original.
     * Applying it twice changes nothing more.
     */
    static String safeName(String part) {
        StringBuilder b = new StringBuilder(part.length() + 1);
        if (part.startsWith(".") || part.startsWith("-")) {
            b.append('_');
        }
        part.codePoints().forEach(c -> b.appendCodePoint(unsafe(c) ? '_' : c));
        String s = b.toString();
        if (s.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES) {
            return s;
        }
        String tag = "~" + HexFormat.of().formatHex(io.isola.core.Sha256.digest().digest(part.getBytes(StandardCharsets.UTF_8)),
                0, 4);
        while (s.getBytes(StandardCharsets.UTF_8).length > 200) {
            s = s.substring(0, s.offsetByCodePoints(0, s.codePointCount(0, s.length()) - 1));
        }
        return s + tag;
    }

    /** Text with every unsafe code point written out: controls as \xNN, the others as a backslash, 'u' and
     * their hex code (in braces above U+FFFF). */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c < 0x100 && Character.isISOControl(c)) {
                b.append(String.format("\\x%02x", c));
            } else if (unsafe(c)) {
                b.append(c <= 0xffff ? String.format("\\u%04x", c) : String.format("\\u{%x}", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
