package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code open --view --ocr [LANGS]} and {@code --password-file} as a person types them. */
@Tag("kernel")
class ViewOptionsCliTest {
    static Path state;
    static Cli cli;

    @BeforeAll
    static void setUp() throws IOException {
        state = Files.createTempDirectory("isola-cli-state");
        cli = new Cli(state);
    }

    @AfterAll
    static void tearDown() {
        Cleanup.deleteTree(state);
    }

    private static Path folder() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "view-options");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    @Test
    void ocrNeverSwallowsTheFileAndTakesLanguagesWhenSpelledAsSuch() throws IOException {
        Path dir = folder();
        Path doc = Files.writeString(dir.resolve("notes.txt"), "Some words to read back\n");
        Cli.Result plain = cli.run(Map.of(), null, "open", "--view", "--no-daemon", "--ocr", doc.toString());
        assertThat(plain.code()).as(plain.err()).isZero();
        assertThat(plain.err()).contains("1 page(s) -> ");
        Cli.Result missing = cli.run(Map.of(), null, "open", "--view", "--ocr", "eng+xqz", doc.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().strip())
                .endsWith("--ocr xqz needs its language data: apt-get install tesseract-ocr-xqz")
                .doesNotContain("\n\tat ");
        Cli.Result noView = cli.run(Map.of(), null, "open", "--ocr", doc.toString());
        assertThat(noView.code()).isEqualTo(2);
        assertThat(noView.err()).contains("--ocr gives a safe view a text layer: use it with --view");
    }

    @Test
    void aPasswordFileIsOnlyForTheSafeViewOfAPdf() throws IOException {
        Path dir = folder();
        Path doc = Files.writeString(dir.resolve("notes.txt"), "words\n");
        Path pw = Files.writeString(dir.resolve("pw"), "secret\n");
        Cli.Result noView = cli.run(Map.of(), null, "open", "--password-file", pw.toString(), doc.toString());
        assertThat(noView.code()).isEqualTo(2);
        assertThat(noView.err()).contains("--password-file opens an encrypted PDF for a safe view: use it with --view");
        Cli.Result text = cli.run(Map.of(), null, "open", "--view", "--password-file", pw.toString(), doc.toString());
        assertThat(text.code()).isEqualTo(2);
        assertThat(text.err()).contains("--password-file opens encrypted PDFs; this is text/plain");
    }
}
