package io.isola.view.render;

import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds a monospaced font in a headless JVM that may see the host's /usr but not its /etc.
 *
 * <p>The JDK's logical font "Monospaced" goes through fontconfig, which also brings fallback fonts for scripts the
 * first one lacks. Without /etc/fonts, fontconfig still finds fonts but maps "Monospaced" to a proportional one, so
 * the logical font is used only if 'i' and 'M' are equally wide; otherwise DejaVu Sans Mono (Debian's
 * fonts-dejavu-core) is loaded from its file.
 */
final class MonospacedFont {
    static final Path DEJAVU_SANS_MONO = Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf");
    static final String PACKAGE = "fonts-dejavu-core";

    private MonospacedFont() {}

    /** A monospaced font of {@code size} pixels (Java2D draws 1 point as 1 pixel on an image). */
    static Font find(float size) throws RenderFailure {
        try {
            Font logical = new Font(Font.MONOSPACED, Font.PLAIN, 1).deriveFont(size);
            if (isMonospaced(logical)) {
                return logical;
            }
            if (Files.isRegularFile(DEJAVU_SANS_MONO)) {
                return Font.createFont(Font.TRUETYPE_FONT, DEJAVU_SANS_MONO.toFile())
                        .deriveFont(size);
            }
        } catch (IOException | FontFormatException | RuntimeException | Error e) {
            // The JDK's font manager throws an Error or a RuntimeException when it finds no font at all.
            throw noFont(e.getClass().getSimpleName() + ": " + ImageRenderer.oneLine(e.getMessage()));
        }
        throw noFont("the Monospaced font is not monospaced and " + DEJAVU_SANS_MONO + " is missing");
    }

    private static boolean isMonospaced(Font font) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            FontMetrics m = g.getFontMetrics(font);
            return m.charWidth('i') > 0 && m.charWidth('i') == m.charWidth('M') && m.charWidth('M') == m.charWidth(' ');
        } finally {
            g.dispose();
        }
    }

    private static RenderFailure noFont(String why) {
        return RenderFailure.environment("no usable monospaced font (" + why + "): install " + PACKAGE);
    }
}
