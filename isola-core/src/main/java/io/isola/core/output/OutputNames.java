package io.isola.core.output;

import io.isola.core.TerminalText;
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
     * One path component made safe: unsafe code points become '_', a leading dot or dash gets a '_' before it (so
     * nothing comes out hidden or option-like), and an overlong name is cut and tagged with a hash of the original.
     * Applying it twice changes nothing more.
     */
    static String safeName(String part) {
        StringBuilder b = new StringBuilder(part.length() + 1);
        if (part.startsWith(".") || part.startsWith("-")) {
            b.append('_');
        }
        part.codePoints().forEach(c -> b.appendCodePoint(TerminalText.unsafe(c) ? '_' : c));
        String s = b.toString();
        if (s.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES) {
            return s;
        }
        String tag = "~"
                + HexFormat.of()
                        .formatHex(io.isola.core.Sha256.digest().digest(part.getBytes(StandardCharsets.UTF_8)), 0, 4);
        while (s.getBytes(StandardCharsets.UTF_8).length > 200) {
            s = s.substring(0, s.offsetByCodePoints(0, s.codePointCount(0, s.length()) - 1));
        }
        return s + tag;
    }
}
