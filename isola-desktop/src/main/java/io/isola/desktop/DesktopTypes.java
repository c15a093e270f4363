package io.isola.desktop;

import java.util.List;

/**
 * What Isola's desktop entry says it opens (its {@code MimeType=}): the kinds of file and link that arrive from
 * outside, by download or attachment. Isola becomes the default only for those the policy has a handler for.
 */
public final class DesktopTypes {
    public static final String HTTP = "x-scheme-handler/http", HTTPS = "x-scheme-handler/https";

    public static final List<String> ALL = List.of(
            "application/pdf",
            // office documents
            "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.ms-powerpoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.spreadsheet",
            "application/vnd.oasis.opendocument.presentation",
            "application/rtf",
            // images
            "image/png",
            "image/jpeg",
            "image/gif",
            "image/webp",
            "image/bmp",
            "image/tiff",
            "image/svg+xml",
            // archives
            "application/zip",
            "application/x-tar",
            "application/gzip",
            "application/x-bzip2",
            "application/x-xz",
            "application/x-7z-compressed",
            "application/vnd.rar",
            // web pages and links
            "text/html",
            "application/xhtml+xml",
            HTTP,
            HTTPS);

    private DesktopTypes() {}

    public static boolean isScheme(String type) {
        return type.startsWith("x-scheme-handler/");
    }
}
