package io.isola.task;

import java.util.List;
import java.util.Map;

/**
 * The graphical programs {@code isola open --window} runs for each type, all from Debian's packages in the cell's
 * image. Built in for now: the policy's {@code handlers} table names the text tools a window-less open runs.
 */
final class WindowHandlers {
    private static final Map<String, List<String>> BY_TYPE = Map.of(
            "application/pdf", List.of("mupdf", "{file}"),
            "application/epub+zip", List.of("mupdf", "{file}"),
            "image/png", List.of("mupdf", "{file}"),
            "image/jpeg", List.of("mupdf", "{file}"),
            "image/gif", List.of("mupdf", "{file}"),
            "text/*", List.of("xedit", "{file}"));

    private WindowHandlers() {}

    /** The program for {@code type}, or null when no window handler knows it. */
    static List<String> forType(String type) {
        List<String> h = BY_TYPE.get(type);
        if (h == null && type.contains("/")) {
            h = BY_TYPE.get(type.substring(0, type.indexOf('/')) + "/*");
        }
        return h;
    }

    static String known() {
        return "PDF, EPUB, PNG, JPEG, GIF and text";
    }
}
