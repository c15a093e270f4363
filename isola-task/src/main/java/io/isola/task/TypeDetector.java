package io.isola.task;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.tika.Tika;

/**
 * A file's type from its content. Tika reads the magic bytes first and uses the name only where it refines what the
 * content says (a zip named .docx is a Word document; a PDF named .txt is still a PDF), so a renamed file cannot
 * pick its own handler.
 */
public final class TypeDetector {
    private static volatile Tika tika;

    private TypeDetector() {}

    /** Loads Tika's type database in the background: it costs tens of milliseconds, and the engine starts meanwhile. */
    public static void preload() {
        Thread.ofPlatform().daemon().name("isola-types").start(TypeDetector::tika);
    }

    public static String detect(Path file, String name) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return tika().detect(in, name);
        }
    }

    private static Tika tika() {
        Tika t = tika;
        if (t == null) {
            synchronized (TypeDetector.class) {
                if (tika == null) {
                    tika = new Tika();
                }
                t = tika;
            }
        }
        return t;
    }
}
