package io.isola.view.render;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The in-cell renderer: turns an untrusted image or text file into page-N.ppm files of raw pixels.
 *
 * <pre>java -Djava.awt.headless=true -cp ISOLA_VIEW_JAR io.isola.view.render.Render (image|text) INPUT OUTDIR</pre>
 *
 * It runs inside a cell, in a fresh JVM, with nothing but the JDK: this package must never use a class outside
 * {@code java.*} and {@code javax.*}. Exit codes: {@value #EXIT_OK} done, {@value #EXIT_USAGE} bad command line,
 * {@value #EXIT_BAD_INPUT} the input cannot be read, is unsupported or too large, {@value #EXIT_ENVIRONMENT} the cell
 * lacks something (a font, a writable OUTDIR). Every failure is one line on stderr, never a stack trace.
 */
public final class Render {
    public static final int EXIT_OK = 0;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_BAD_INPUT = 3;
    public static final int EXIT_ENVIRONMENT = 4;
    /**
     * The most pixels any page has on a side, whoever renders it (pdftoppm is told {@code -scale-to} this, images are
     * scaled down to it, text pages are smaller): the one bound the host's reader holds every page to, and so what a
     * safe view may cost the host.
     */
    public static final int MAX_PAGE_SIDE = 1650;

    private static final String USAGE = "usage: Render (image|text) INPUT OUTDIR";

    private Render() {}

    public static void main(String[] args) {
        System.exit(run(args, System.err));
    }

    static int run(String[] args, PrintStream err) {
        // Headless even if the caller forgot the flag: a cell has no display, and AWT must not look for one.
        System.setProperty("java.awt.headless", "true");
        try {
            if (args.length != 3) {
                throw new RenderFailure(EXIT_USAGE, USAGE);
            }
            if (!args[0].equals("image") && !args[0].equals("text")) {
                throw new RenderFailure(EXIT_USAGE, "unknown type '" + args[0] + "': " + USAGE);
            }
            Path input = Path.of(args[1]);
            Path outDir = Path.of(args[2]);
            if (!Files.isRegularFile(input)) {
                throw RenderFailure.badInput("input " + input + " is not a readable file");
            }
            if (!Files.isDirectory(outDir)) {
                throw RenderFailure.environment("output directory " + outDir + " does not exist");
            }
            switch (args[0]) {
                case "image" -> ImageRenderer.render(input, outDir);
                default -> TextRenderer.render(input, outDir, err);
            }
            return EXIT_OK;
        } catch (RenderFailure f) {
            err.println("render: " + f.getMessage());
            return f.exitCode;
        } catch (OutOfMemoryError e) {
            err.println("render: the input needs more memory than this cell has");
            return EXIT_BAD_INPUT;
        } catch (RuntimeException | Error e) {
            // Decoders fed malformed data throw all sorts of unchecked exceptions; they all mean a bad input.
            err.println("render: cannot render the input: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + ImageRenderer.oneLine(e.getMessage())));
            return EXIT_BAD_INPUT;
        }
    }
}
