package io.isola.display;

import io.isola.linux.FrameFile;
import io.isola.linux.LinuxException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/**
 * A cell's clipboard is its own display's: nothing crosses between it and the host's (or another cell's) but by
 * the user's explicit action on the cell's window, and then only plain text of at most {@link #MAX_BYTES}. Copying
 * out asks the cell to leave its clipboard in its screen directory and reads that file as hostile (no links, a
 * regular file, bounded, within a deadline); pasting in sends the text, base64 on one line, down the input pipe.
 */
public final class CellClipboard {
    /** The most text that crosses in either direction. */
    public static final int MAX_BYTES = 256 << 10;
    /**
     * How long the cell has to hand over its clipboard. A sandbox cell takes milliseconds; a VM's guest under
     * emulation (TCG) on a busy host was seen to take more than 5 s. The wait blocks nothing of the window (it runs
     * on its own thread) and the user is told after {@link #SLOW} that it goes on.
     */
    static final Duration COPY_TIMEOUT = Duration.ofSeconds(30);
    /** When a copy that has not come yet is worth a word to the user. */
    static final Duration SLOW = Duration.ofSeconds(2);

    private CellClipboard() {}

    /**
     * Asks the cell for its clipboard and returns it as plain text, or throws with what went wrong, for the user;
     * {@code slow} runs once if the cell takes longer than {@link #SLOW}.
     */
    static String copyOut(Path copyFile, CellInput input, Runnable slow) throws InterruptedException {
        try {
            Files.deleteIfExists(copyFile); // what the cell may have put there before the user asked
        } catch (java.io.IOException e) {
            throw new FrameException("its clipboard cannot be read: " + e.getMessage());
        }
        input.line("isola-copy");
        long start = System.nanoTime(), deadline = start + COPY_TIMEOUT.toNanos();
        boolean told = false;
        while (!Files.exists(copyFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!told && System.nanoTime() - start > SLOW.toNanos()) {
                slow.run();
                told = true;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the cell did not hand over its clipboard within "
                        + COPY_TIMEOUT.toSeconds() + " s; nothing was copied");
            }
            Thread.sleep(5);
        }
        byte[] buf = new byte[MAX_BYTES + 1];
        int n;
        try (FrameFile f = FrameFile.open(copyFile.toString())) {
            n = f.read(0, buf, buf.length);
        } catch (LinuxException e) {
            throw new IllegalStateException(
                    "the cell's clipboard is not a plain file (" + e.getMessage() + "); nothing was copied");
        } finally {
            try {
                Files.deleteIfExists(copyFile);
            } catch (java.io.IOException e) {
                // the directory goes with the task
            }
        }
        if (n > MAX_BYTES) {
            throw new IllegalStateException(
                    "the cell's clipboard holds more than " + (MAX_BYTES >> 10) + " KiB of text; nothing was copied");
        }
        return plainText(buf, n);
    }

    /** Puts {@code text} (at most {@link #MAX_BYTES} of it) into the cell's clipboard. */
    static void pasteIn(String text, CellInput input) {
        byte[] b = plainText(text.getBytes(StandardCharsets.UTF_8), -1).getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_BYTES) {
            throw new IllegalStateException(
                    "the clipboard holds more than " + (MAX_BYTES >> 10) + " KiB of text; nothing was pasted");
        }
        input.line("isola-paste " + Base64.getEncoder().encodeToString(b));
    }

    /** Text as UTF-8 with invalid bytes replaced and every control character but tab and newline left out. */
    static String plainText(byte[] b, int length) {
        String s;
        try {
            s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(java.nio.ByteBuffer.wrap(b, 0, length < 0 ? b.length : length))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints()
                .filter(c -> c == '\n' || c == '\t' || !(Character.isISOControl(c) || c == 0x2028 || c == 0x2029))
                .forEach(out::appendCodePoint);
        return out.toString();
    }
}
