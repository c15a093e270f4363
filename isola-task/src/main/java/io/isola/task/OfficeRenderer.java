package io.isola.task;

import java.util.List;

/**
 * Office documents (Word, Excel, PowerPoint, OpenDocument, RTF) in the cell: LibreOffice, headless, turns the document
 * into a PDF in the cell's tmpfs, and pdftoppm turns that into pages as for any PDF. LibreOffice finds the format from
 * the content itself, so a {@code .xls} that is really a Word file still renders as what it is.
 *
 * <p>LibreOffice runs with a throwaway profile in the cell's tmpfs (it needs a writable one, and the cell's home is
 * not the user's), made before it starts with macros disabled outright and at the highest security level, so a
 * document's auto-run macro never runs; the render cell has no network, so a document that links external content
 * gets none. Its chatter goes to a log in the tmpfs: the user sees one line when it fails.
 */
final class OfficeRenderer {
    private static final String PROFILE = "/tmp/isola-office";

    /**
     * The profile's settings: macros never execute (DisableMacrosExecution), and at security level 3 ("very high")
     * not even from trusted places; links from untrusted referers are blocked.
     */
    private static final String SETTINGS = """
            <?xml version="1.0" encoding="UTF-8"?>
            <oor:items xmlns:oor="http://openoffice.org/2001/registry" \
            xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            <item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
            <prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
            <item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
            <prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
            <item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
            <prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
            </oor:items>
            """;

    /**
     * soffice exits 0 even when it could not load the document, so the PDF's presence is what says it worked; an
     * encrypted document cannot be loaded without its password, which LibreOffice's log names.
     */
    private static final String SCRIPT = """
            p=%1$s; mkdir -p "$p/profile/user" "$p/pdf" || exit 4
            printf '%%s' "$2" > "$p/profile/user/registrymodifications.xcu" || exit 4
            HOME=$p soffice -env:UserInstallation=file://$p/profile --headless --norestore --nolockcheck \
              --convert-to pdf --outdir "$p/pdf" "$1" > "$p/log" 2>&1
            for pdf in "$p"/pdf/*.pdf; do
              [ -s "$pdf" ] && pages "$pdf"
            done
            if grep -qi 'password' "$p/log"; then
              echo "render: this document is encrypted; --password-file opens PDFs only (LibreOffice's command line takes no password): open it without --view, where its program asks for it" >&2
            else
              echo "render: cannot be rendered: LibreOffice could not read it (corrupt, or not the office document it claims to be)" >&2
            fi
            exit 3
            """.formatted(PROFILE);

    private OfficeRenderer() {}

    static boolean handles(String type) {
        return type.startsWith("application/vnd.openxmlformats-officedocument.")
                || type.startsWith("application/vnd.oasis.opendocument.")
                || type.startsWith("application/vnd.ms-word")
                || type.startsWith("application/vnd.ms-excel")
                || type.startsWith("application/vnd.ms-powerpoint")
                || type.equals("application/msword")
                || type.equals("application/rtf")
                // a zip with [Content_Types].xml first, or an OLE file, whatever its name: LibreOffice tells which
                || type.equals("application/x-tika-ooxml")
                || type.equals("application/x-tika-msoffice");
    }

    static List<String> argv(String input) {
        return List.of("/bin/sh", "-c", Renderers.PDF_PAGES + SCRIPT, "office", input, SETTINGS);
    }
}
