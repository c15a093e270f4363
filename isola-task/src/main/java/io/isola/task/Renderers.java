package io.isola.task;

import io.isola.core.IsolaException;
import io.isola.core.TaskFiles;
import io.isola.view.SafeView;
import io.isola.view.render.Render;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which program turns a document into pixels inside the cell. Every one writes {@code /out/page-N.ppm} and nothing
 * else leaves: PDFs go through poppler's pdftoppm, images and text through Isola's own renderer (the JDK alone,
 * given to the cell as a second input at {@link #RENDERER_IN_CELL}, which every engine supports), office files
 * through LibreOffice to PDF first, where the image has it.
 *
 * @param argv the command in the cell
 * @param kind what the host rebuilds
 * @param dpi the resolution the host gives the pages
 * @param renderer the host path of Isola's renderer classes to show in the cell, or null
 */
record Renderers(List<String> argv, SafeView.Kind kind, int dpi, Path renderer) {
    static final String RENDERER_IN_CELL = "/opt/isola/renderer";
    private static final Set<String> IMAGES =
            Set.of("image/png", "image/jpeg", "image/gif", "image/bmp", "image/x-ms-bmp");
    private static final String SOFFICE = "/usr/bin/soffice";

    static Renderers forType(String type, String input) {
        if (type.equals("application/pdf")) {
            return new Renderers(pdftoppm(input), SafeView.Kind.PDF, SafeView.PDFTOPPM_DPI, null);
        }
        if (IMAGES.contains(type)) {
            return java("image", input, SafeView.Kind.PNG, SafeView.IMAGE_DPI);
        }
        if (TypeDetector.isText(type)) { // a shell script, JSON or XML is shown as the text it is
            return java("text", input, SafeView.Kind.PDF, SafeView.TEXT_DPI);
        }
        if (isOffice(type)) {
            if (!Files.isExecutable(Path.of(SOFFICE))) {
                throw new IsolaException(
                        "the safe view renders " + type + " with LibreOffice, which the image lacks: "
                                + "apt-get install libreoffice-core-nogui libreoffice-writer-nogui",
                        2);
            }
            List<String> argv = new ArrayList<>(List.of(
                    "/bin/sh",
                    "-c",
                    "soffice --headless --convert-to pdf "
                            + "--outdir /tmp \"$1\" >/dev/null && exec pdftoppm -r 100 -scale-to "
                            + SafeView.PDFTOPPM_LONG_SIDE
                            + " /tmp/*.pdf /out/page",
                    "office",
                    input));
            return new Renderers(argv, SafeView.Kind.PDF, SafeView.PDFTOPPM_DPI, null);
        }
        throw new IsolaException(
                "the safe view renders PDF, images (PNG, JPEG, GIF, BMP), text of any kind and "
                        + "office files; "
                        + "this is " + type + ": open it without --view",
                2);
    }

    private static List<String> pdftoppm(String input) {
        // -scale-to bounds every page, whatever size the document claims; PPM is pdftoppm's default format.
        return List.of(
                "pdftoppm", "-r", "100", "-scale-to", String.valueOf(SafeView.PDFTOPPM_LONG_SIDE), input, "/out/page");
    }

    private static Renderers java(String what, String input, SafeView.Kind kind, int dpi) {
        Path javaHome = Path.of(System.getProperty("java.home"));
        if (!javaHome.startsWith("/usr") && !javaHome.startsWith("/opt")) {
            throw new IsolaException(
                    "the safe view runs its renderer with this JDK (" + javaHome + "), which a cell "
                            + "cannot see: install the JDK under /usr/lib/jvm",
                    2);
        }
        Path classes = rendererClasses();
        String cp = RENDERER_IN_CELL + (Files.isDirectory(classes) ? "" : "/" + classes.getFileName());
        return new Renderers(
                List.of(
                        javaHome.resolve("bin/java").toString(),
                        "-Xshare:auto",
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-XX:-UsePerfData",
                        "-Djava.awt.headless=true",
                        "-cp",
                        cp,
                        Render.class.getName(),
                        what,
                        input,
                        "/out"),
                kind,
                dpi,
                classes);
    }

    /** Where the renderer's classes are on the host: Isola's jar, or a classes directory in a build. */
    static Path rendererClasses() {
        try {
            return Path.of(Render.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The renderer as a task input: its classes directory, or a directory holding only a link to (or a copy of) its
     * jar, made in {@code taskDir}.
     */
    TaskFiles.Input input(Path taskDir) throws java.io.IOException {
        if (Files.isDirectory(renderer)) {
            return new TaskFiles.Input(renderer, RENDERER_IN_CELL);
        }
        Path dir = Files.createDirectories(taskDir.resolve("renderer"));
        Path jar = dir.resolve(renderer.getFileName());
        try {
            Files.createLink(jar, renderer);
        } catch (java.io.IOException | UnsupportedOperationException otherFileSystem) {
            Files.copy(renderer, jar);
        }
        return new TaskFiles.Input(dir, RENDERER_IN_CELL);
    }

    private static boolean isOffice(String type) {
        return type.startsWith("application/vnd.openxmlformats-officedocument.")
                || type.startsWith("application/vnd.oasis.opendocument.")
                || type.equals("application/msword")
                || type.equals("application/vnd.ms-excel")
                || type.equals("application/vnd.ms-powerpoint")
                || type.equals("application/rtf");
    }
}
