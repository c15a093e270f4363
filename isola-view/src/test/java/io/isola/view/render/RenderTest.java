package io.isola.view.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.view.Pixmap;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the in-cell renderer as the cell does: a fresh JVM with only this module's classes on its class path. */
class RenderTest {
    private static final long PAGE_LIMIT = 100_000_000L;

    @TempDir
    Path dir;

    private Path out;

    @BeforeEach
    void makeOutDir() throws IOException {
        out = Files.createDirectory(dir.resolve("out"));
    }

    /** A photo larger than a page is scaled to fit: the host refuses any page over the renderer's side. */
    @Test
    void anImageLargerThanAPageIsScaledDownToTheLargestPageSide() throws IOException {
        BufferedImage image = new BufferedImage(4000, 1000, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(0x20, 0x40, 0xc0));
        g.fillRect(0, 0, 2000, 1000);
        g.setColor(Color.WHITE);
        g.fillRect(2000, 0, 2000, 1000);
        g.dispose();
        Path png = dir.resolve("wide.png");
        ImageIO.write(image, "png", png.toFile());

        Result r = render("image", png);

        assertThat(r.exitCode).as(r.stderr).isZero();
        Pixmap page = Pixmap.read(out.resolve("page-1.ppm"), PAGE_LIMIT);
        assertThat(page.width()).isEqualTo(Render.MAX_PAGE_SIDE);
        assertThat(page.height()).isEqualTo(Math.round(1000f * Render.MAX_PAGE_SIDE / 4000));
        assertThat(page.rgbAt(100, 100)).isEqualTo(0x2040c0);
        assertThat(page.rgbAt(Render.MAX_PAGE_SIDE - 100, 100)).isEqualTo(0xffffff);
    }

    @Test
    void aPngBecomesOnePageOfTheSameSizeWithTransparencyOverWhite() throws IOException {
        BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(0x20, 0x40, 0xc0));
        g.fillRect(0, 0, 20, 30);
        g.dispose();
        image.setRGB(30, 10, 0x80000000); // half-transparent black
        Path png = dir.resolve("in.png");
        ImageIO.write(image, "png", png.toFile());

        Result r = render("image", png);

        assertThat(r.exitCode).as(r.stderr).isZero();
        assertThat(out).isDirectoryContaining("glob:**/page-1.ppm");
        Pixmap page = Pixmap.read(out.resolve("page-1.ppm"), PAGE_LIMIT);
        assertThat(page.width()).isEqualTo(40);
        assertThat(page.height()).isEqualTo(30);
        assertThat(page.rgbAt(5, 5)).isEqualTo(0x2040c0);
        assertThat(page.rgbAt(35, 25)).as("fully transparent is white").isEqualTo(0xffffff);
        assertThat(page.rgbAt(30, 10)).as("half black over white is mid gray").isEqualTo(0x7f7f7f);
    }

    @Test
    void aJpegAndAGifAreDecodedToo() throws IOException {
        BufferedImage image = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 16, 8);
        g.dispose();
        for (String format : List.of("jpeg", "gif", "bmp")) {
            Path in = dir.resolve("in." + format);
            assertThat(ImageIO.write(image, format, in.toFile())).isTrue();
            Path formatOut = Files.createDirectory(dir.resolve("out-" + format));

            Result r = run("image", in.toString(), formatOut.toString());

            assertThat(r.exitCode).as(format + ": " + r.stderr).isZero();
            Pixmap page = Pixmap.read(formatOut.resolve("page-1.ppm"), PAGE_LIMIT);
            assertThat(page.width()).isEqualTo(16);
            assertThat(page.rgbAt(8, 4) & 0xf0f0f0).isEqualTo(0xf0f0f0);
        }
    }

    @Test
    void aLongTextBecomesSeveralNumberedPages() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 3000; i++) {
            text.append("line ").append(i).append("\tafter a tab\n");
        }
        Path in = Files.writeString(dir.resolve("in.txt"), text);

        Result r = render("text", in);

        assertThat(r.exitCode).as(r.stderr).isZero();
        List<String> names = pageNames();
        assertThat(names.size()).isBetween(30, 100);
        for (int i = 1; i <= names.size(); i++) {
            assertThat(names).contains("page-" + i + ".ppm");
        }
        Pixmap first = Pixmap.read(out.resolve("page-1.ppm"), PAGE_LIMIT);
        assertThat(first.width()).isEqualTo(TextRenderer.PAGE_WIDTH);
        assertThat(first.height()).isEqualTo(TextRenderer.PAGE_HEIGHT);
        assertThat(darkPixels(first, 0, TextRenderer.PAGE_HEIGHT))
                .as("ink on page 1")
                .isGreaterThan(1000);
        assertThat(darkPixels(first, 0, TextRenderer.MARGIN - 5))
                .as("the top margin stays blank")
                .isZero();
    }

    @Test
    void aLongLineIsWrappedAndInvalidUtf8IsRendered() throws IOException {
        byte[] invalid = {(byte) 0xff, (byte) 0xc3, 'x', '\n'};
        Path in = dir.resolve("in.txt");
        Files.write(in, invalid);
        Files.writeString(in, "y".repeat(1000), java.nio.file.StandardOpenOption.APPEND);

        Result r = render("text", in);

        assertThat(r.exitCode).as(r.stderr).isZero();
        assertThat(pageNames()).containsExactly("page-1.ppm");
        Pixmap page = Pixmap.read(out.resolve("page-1.ppm"), PAGE_LIMIT);
        int lineHeight = 17;
        // 1000 characters are about 11 lines of about 90: the sixth line down still has ink.
        int sixth = TextRenderer.MARGIN + 5 * lineHeight;
        assertThat(darkPixels(page, sixth, sixth + lineHeight)).isGreaterThan(100);
    }

    @Test
    void aLineOfZeroWidthCharactersIsWrappedToo() throws IOException {
        // Zero-width spaces have no advance, so only the character cap can end their line: 196 lines, 4 pages.
        Path in = Files.writeString(dir.resolve("marks.txt"), "a" + "\u200b".repeat(100_000));

        Result r = render("text", in);

        assertThat(r.exitCode).as(r.stderr).isZero();
        assertThat(pageNames()).hasSizeBetween(3, 5);
    }

    @Test
    void anEmptyTextIsOneBlankPage() throws IOException {
        Result r = render("text", Files.write(dir.resolve("empty.txt"), new byte[0]));

        assertThat(r.exitCode).as(r.stderr).isZero();
        assertThat(pageNames()).containsExactly("page-1.ppm");
        assertThat(darkPixels(Pixmap.read(out.resolve("page-1.ppm"), PAGE_LIMIT), 0, TextRenderer.PAGE_HEIGHT))
                .isZero();
    }

    @Test
    void aTextLongerThanThePageCapIsCutAndSaysSo() throws IOException {
        Path in = Files.writeString(dir.resolve("long.txt"), "x\f".repeat(TextRenderer.MAX_PAGES + 50));

        Result r = render("text", in);

        assertThat(r.exitCode).as(r.stderr).isZero();
        assertThat(pageNames()).hasSize(TextRenderer.MAX_PAGES);
        assertThat(r.stderr).contains("cut at " + TextRenderer.MAX_PAGES + " pages");
    }

    @Test
    void anImageDeclaringHugeDimensionsIsRefusedQuicklyWithoutDecoding() throws IOException {
        Path png = Files.write(dir.resolve("bomb.png"), pngHeaderOnly(100_000, 100_000));
        long start = System.nanoTime();

        Result r = render("image", png);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(r.exitCode).isEqualTo(Render.EXIT_BAD_INPUT);
        assertOneLine(r.stderr, "100000x100000");
        assertThat(pageNames()).isEmpty();
    }

    @Test
    void garbageAsAnImageIsABadInput() throws IOException {
        byte[] garbage = new byte[4096];
        new java.util.Random(42).nextBytes(garbage);

        Result r = render("image", Files.write(dir.resolve("garbage.png"), garbage));

        assertThat(r.exitCode).isEqualTo(Render.EXIT_BAD_INPUT);
        assertOneLine(r.stderr, "not a PNG, JPEG, GIF, BMP or TIFF image");
    }

    @Test
    void aTruncatedPngIsABadInputWithoutAStackTrace() throws IOException {
        BufferedImage image = new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        byte[] whole = bytes.toByteArray();

        Result r = render("image", Files.write(dir.resolve("cut.png"), java.util.Arrays.copyOf(whole, 60)));

        assertThat(r.exitCode).isEqualTo(Render.EXIT_BAD_INPUT);
        assertOneLine(r.stderr, "render: ");
    }

    @Test
    void aBadCommandLineIsAUsageError() throws IOException {
        Result none = run();
        Result unknown = run("pdf", "a", "b");

        assertThat(none.exitCode).isEqualTo(Render.EXIT_USAGE);
        assertOneLine(none.stderr, "usage:");
        assertThat(unknown.exitCode).isEqualTo(Render.EXIT_USAGE);
        assertThat(run("text", dir.resolve("none.txt").toString(), out.toString()).exitCode)
                .isEqualTo(Render.EXIT_BAD_INPUT);
    }

    /** A PNG signature and an IHDR chunk (with a correct CRC) declaring {@code w × h}, and nothing after. */
    static byte[] pngHeaderOnly(int w, int h) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(bytes);
        data.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream c = new DataOutputStream(chunk);
        c.write("IHDR".getBytes(StandardCharsets.US_ASCII));
        c.writeInt(w);
        c.writeInt(h);
        c.write(new byte[] {8, 2, 0, 0, 0}); // 8 bits, truecolour, deflate, adaptive filter, no interlace
        byte[] typeAndData = chunk.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(typeAndData);
        data.writeInt(13);
        data.write(typeAndData);
        data.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }

    private static void assertOneLine(String stderr, String containing) {
        assertThat(stderr).contains(containing);
        assertThat(stderr.strip()
                        .lines()
                        .filter(l -> !l.startsWith("Fontconfig"))
                        .count())
                .as("one line: %s", stderr)
                .isEqualTo(1);
        assertThat(stderr).doesNotContain("Exception in").doesNotContain("\tat ");
    }

    private List<String> pageNames() throws IOException {
        try (var files = Files.list(out)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static int darkPixels(Pixmap p, int fromY, int toY) {
        int dark = 0;
        for (int y = fromY; y < toY; y++) {
            for (int x = 0; x < p.width(); x++) {
                if ((p.rgbAt(x, y) & 0xff) < 128) {
                    dark++;
                }
            }
        }
        return dark;
    }

    private Result render(String type, Path input) throws IOException {
        return run(type, input.toString(), out.toString());
    }

    record Result(int exitCode, String stderr) {}

    private static Result run(String... args) throws IOException {
        List<String> command = new ArrayList<>(
                List.of(javaCommand(), "-Djava.awt.headless=true", "-cp", classesDir(), Render.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the renderer did not finish in 60 s");
            }
            return new Result(p.exitValue(), stderr);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    /** The main classes only (target/classes), as in the cell: not the test classes, not isola-core. */
    private static String classesDir() {
        try {
            return Path.of(Render.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
