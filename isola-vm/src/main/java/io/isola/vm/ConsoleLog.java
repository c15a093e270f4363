package io.isola.vm;

import io.isola.core.TerminalText;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the guest's console says about why a VM ended, in one line for an error message. A kernel panic names its
 * reason on one line, but the console's last lines are its stack trace ("Kernel Offset: ..."), so that line is
 * looked for first; otherwise the last lines. The console is the guest's to write, so it is made printable.
 */
final class ConsoleLog {
    private static final Pattern STAMP = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\]\\s*");
    static final String PANIC = "Kernel panic - not syncing:";
    /** A panic's reason comes a few dozen lines before the end; a guest may have written megabytes before it. */
    private static final int TAIL = 64 << 10;

    private ConsoleLog() {}

    /** The summary of the console log {@code file}: its last 64 KiB, bytes that are no UTF-8 replaced. */
    static String summary(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long from = Math.max(0, ch.size() - TAIL);
            ByteBuffer b = ByteBuffer.allocate((int) (ch.size() - from));
            while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) {
                // read the tail whole
            }
            return summary(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8)
                    .lines()
                    .toList());
        }
    }

    static String summary(List<String> lines) {
        for (String line : lines) {
            int at = line.indexOf(PANIC);
            if (at >= 0) {
                return TerminalText.printable(line.substring(at).trim());
            }
        }
        return String.join(
                        " / ",
                        lines.subList(Math.max(0, lines.size() - 3), lines.size()).stream()
                                .map(l -> TerminalText.printable(
                                        STAMP.matcher(l).replaceFirst("").trim()))
                                .toList())
                .trim();
    }
}
