package io.isola.core;

/**
 * Text from a cell, a file name or a mark, made safe to print: nothing in it can drive the user's terminal or
 * reorder what they read. Everything Isola prints that it did not write itself goes through here.
 */
public final class TerminalText {
    private static final int MAX_LINE = 120;

    private TerminalText() {}

    /**
     * Whether a code point may not appear raw on a terminal (nor in a kept name): C0/C1 controls, format characters
     * (Unicode category Cf: bidi controls U+202A–202E and U+2066–2069, zero-width U+200B–200F, U+FEFF, tags…), line and
     * paragraph separators, lone surrogates and the replacement character (what an undecodable byte became).
     */
    public static boolean unsafe(int c) {
        int type = Character.getType(c);
        return Character.isISOControl(c)
                || type == Character.FORMAT
                || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.SURROGATE
                || c == 0xfffd;
    }

    /**
     * Text with every unsafe code point written out: controls as \xNN, the others as a backslash, 'u' and their hex
     * code (in braces above U+FFFF).
     */
    public static String escape(String text) {
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

    /** A name as it may be shown on one terminal line: escaped, and at most 120 code points of it. */
    public static String printable(String name) {
        int points = name.codePointCount(0, name.length());
        String head = name.substring(0, name.offsetByCodePoints(0, Math.min(MAX_LINE, points)));
        return escape(head) + (points > MAX_LINE ? "…" : "");
    }
}
