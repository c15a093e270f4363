package io.isola.task;

import io.isola.core.Trace;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;
import org.apache.tika.mime.MimeTypesFactory;

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
    /** Rounds of {@link #warmUp} (five files each): where the detector's time per file stops falling. */
    private static final int WARM_UP_ROUNDS = 80;

    private TypeDetector() {}

    /** Loads the type database in the background: it costs tens of milliseconds, and the engine starts meanwhile. */
    public static void preload() {
        Thread.ofPlatform().daemon().name("isola-types").start(TypeDetector::types);
    }

    /**
     * Loads the type database and runs the detector over a few kinds of content until the JIT has compiled it, on a
     * thread that takes only CPU nothing else wants. For a long-running service: Tika's magic matching runs
     * interpreted for the first hundred or so files, 5-20 ms each against under 1 ms compiled, and a service would
     * otherwise pay that on its first requests.
     */
    public static void warmUp() {
        Thread.ofPlatform().daemon().name("isola-types-warm-up").start(() -> {
            io.isola.linux.Libc.yieldToAllOthers();
            byte[][] samples = {
                "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".getBytes(StandardCharsets.US_ASCII),
                "a plain text file, as people write them\n".getBytes(StandardCharsets.US_ASCII),
                "<!DOCTYPE html>\n<html><body>a page</body></html>\n".getBytes(StandardCharsets.US_ASCII),
                {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'}
            };
            String[] names = {"report.pdf", "notes.txt", "page.html", "archive.zip", "picture.png"};
            try {
                for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                    for (int i = 0; i < samples.length; i++) {
                        Metadata md = new Metadata();
                        md.set(TikaCoreProperties.RESOURCE_NAME_KEY, names[i]);
                        types().detect(new java.io.ByteArrayInputStream(samples[i]), md);
                    }
                }
                Trace.mark("type detector warmed up");
            } catch (IOException | RuntimeException e) {
                // an optimization only: the first requests detect as they would have
            }
        });
    }

    public static String detect(Path file, String name) throws IOException {
        Metadata md = new Metadata();
        md.set(TikaCoreProperties.RESOURCE_NAME_KEY, name);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 << 10)) {
            return types().detect(in, md).getBaseType().toString();
        }
    }

    /**
     * Whether {@code type} is text, as Tika's type hierarchy says: {@code text/*} and everything Tika files under
     * text/plain (shell scripts, JSON, XML, JavaScript, Python, …), whatever its media type's top level.
     */
    public static boolean isText(String type) {
        MediaType t = MediaType.parse(type);
        if (t == null) {
            return false;
        }
        return t.getType().equals("text") || types().getMediaTypeRegistry().isInstanceOf(t, MediaType.TEXT_PLAIN);
    }

    /**
     * Tika's own database, read from tika-core's jar alone. {@link MimeTypes#getDefaultMimeTypes()} also looks for a
     * custom-mimetypes.xml in every jar on the class path, opening each one (its central directory read in Java) on
     * the critical path of a cold start.
     */
    private static MimeTypes load() {
        try {
            return MimeTypesFactory.create(MimeTypes.class.getResource("tika-mimetypes.xml"));
        } catch (java.io.IOException | org.apache.tika.mime.MimeTypeException e) {
            throw new IllegalStateException("Tika's type database cannot be read from its jar: " + e.getMessage(), e);
        }
    }

    private static MimeTypes types() {
        MimeTypes t = types;
        if (t == null) {
            synchronized (TypeDetector.class) {
                if (types == null) {
                    types = load();
                    Trace.mark("type database loaded");
                }
                t = types;
            }
        }
        return t;
    }
}
