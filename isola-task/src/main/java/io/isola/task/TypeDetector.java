package io.isola.task;

import io.isola.core.Trace;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MimeTypes;

/**
 * A file's type from its content: Tika's type database and its magic-byte detector. The magic decides, and the name
 * is used only where it refines what the content says (a zip named .docx is a Word document; a PDF named .txt is
 * still a PDF), so a renamed file cannot pick its own handler.
 *
 * <p>{@link MimeTypes} is used directly rather than through {@code new Tika()}: the facade also scans the class
 * path for further detectors, which tika-core does not ship and which cost a cold start about 100 ms.
 */
public final class TypeDetector {
    private static volatile MimeTypes types;

    private TypeDetector() {}

    /** Loads the type database in the background: it costs tens of milliseconds, and the engine starts meanwhile. */
    public static void preload() {
        Thread.ofPlatform().daemon().name("isola-types").start(TypeDetector::types);
    }

    public static String detect(Path file, String name) throws IOException {
        Metadata md = new Metadata();
        md.set(TikaCoreProperties.RESOURCE_NAME_KEY, name);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 << 10)) {
            return types().detect(in, md).getBaseType().toString();
        }
    }

    private static MimeTypes types() {
        MimeTypes t = types;
        if (t == null) {
            synchronized (TypeDetector.class) {
                if (types == null) {
                    types = MimeTypes.getDefaultMimeTypes();
                    Trace.mark("type database loaded");
                }
                t = types;
            }
        }
        return t;
    }
}
