package io.isola.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * E-mail messages ({@code .eml}) in the cell: Python's {@code email} package (the system Python, isolated mode)
 * decodes the main headers and the text body (an HTML body reduced to its text, no script, nothing fetched) and lists
 * the attachments; Isola's text renderer then draws that text. Each attachment gets a view of its own
 * ({@link ContainerView}).
 */
final class MailRenderer {
    static final String TYPE = "message/rfc822";
    private static final String TEXT = "/tmp/isola-message.txt";
    private static final String SCRIPT = """
            /usr/bin/python3 -I -c "$2" "$1" %1$s 2>/tmp/isola-mail.log || {
              grep '^render: ' /tmp/isola-mail.log | tail -1 >&2; exit 3; }
            shift 2; exec "$@"
            """.formatted(TEXT);
    private static final String PROGRAM = program();

    private MailRenderer() {}

    /** The command in the cell, given the JDK text renderer's command for {@link #textInCell()}. */
    static List<String> argv(String input, Renderers text) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "mail", input, PROGRAM));
        argv.addAll(text.argv());
        return argv;
    }

    /** Where the message's text is written in the cell's tmpfs, for the text renderer. */
    static String textInCell() {
        return TEXT;
    }

    private static String program() {
        try (InputStream in = MailRenderer.class.getResourceAsStream("render_mail.py")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
