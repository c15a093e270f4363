package io.isola.display;

import java.awt.Color;

/**
 * What marks a cell's window as the cell's, drawn by the host where the cell's pixels never reach: the trust level
 * in the title and a border of the level's colour around the cell's screen.
 *
 * @param level the trust level's word ({@code untrusted}, {@code trusted})
 * @param what what runs in the cell, for the title ({@code mupdf: report.pdf})
 */
public record WindowLook(String level, String what) {
    /** The border's width in pixels: wide enough to see, on every side. */
    public static final int BORDER = 4;

    /**
     * What fills the window while the cell's display starts (with a line saying what starts): dark, never the white
     * of a page, so that nothing drawn before the cell's first frame looks like its content.
     */
    public static final Color STARTING = new Color(0x2b2b2b);

    public String title() {
        return "[" + level + "] " + what + " — Isola cell";
    }

    public Color border() {
        return switch (level) {
            case "trusted" -> new Color(0x2e7d32);
            default -> new Color(0xd32f2f);
        };
    }
}
