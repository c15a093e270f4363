package io.isola.view.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The renderer runs in a cell whose class path is this module alone: its classes may refer to the JDK and to each
 * other, never to isola-core or the host side of this module (which would fail, or drag host code into the cell).
 */
class RenderDependenciesTest {
    /** Class names as they appear in a class file's constant pool: {@code Lio/isola/...;} or {@code io/isola/...}. */
    private static final Pattern ISOLA_CLASS = Pattern.compile("io/isola/[A-Za-z0-9_/$]+");

    @Test
    void theRendererUsesOnlyTheJdkAndItsOwnPackage() throws IOException, URISyntaxException {
        Path classes = Path.of(
                Render.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path renderPackage = classes.resolve("io/isola/view/render");
        List<Path> classFiles;
        try (var files = Files.list(renderPackage)) {
            classFiles = files.filter(f -> f.toString().endsWith(".class")).toList();
        }
        assertThat(classFiles).hasSizeGreaterThan(4);
        for (Path f : classFiles) {
            Matcher m = ISOLA_CLASS.matcher(Files.readString(f, StandardCharsets.ISO_8859_1));
            while (m.find()) {
                assertThat(m.group())
                        .as("a class that %s refers to", f.getFileName())
                        .startsWith("io/isola/view/render/");
            }
        }
    }
}
