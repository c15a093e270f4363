package io.isola.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.IsolaException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tesseract's TSV as a compromised cell could write it: only well-formed words inside the page come through. */
class OcrWordsTest {
    private static final String H = OcrWords.HEADER + "\n";

    private static List<OcrWords.Word> parse(String tsv) {
        return OcrWords.parse("page-1.tsv", tsv.getBytes(StandardCharsets.UTF_8), 1000, 1000);
    }

    @Test
    void wordsAndTheirBoxesComeThroughAndLayoutLinesDoNot() {
        var words = parse(H + "1\t1\t0\t0\t0\t0\t0\t0\t1000\t1000\t-1\t\n"
                + "4\t1\t1\t1\t1\t0\t10\t20\t300\t40\t-1\t\n"
                + "5\t1\t1\t1\t1\t1\t10\t20\t120\t40\t96.5\tQuarterly\n"
                + "5\t1\t1\t1\t1\t2\t140\t20\t100\t40\t91.0\tÜbersicht\n"
                + "5\t1\t1\t1\t1\t3\t250\t20\t10\t40\t12.0\t \n");
        assertThat(words)
                .containsExactly(
                        new OcrWords.Word(10, 20, 120, 40, "Quarterly"),
                        new OcrWords.Word(140, 20, 100, 40, "Übersicht"));
    }

    @Test
    void anythingButTesseractsTsvIsRefused() {
        String ok = "5\t1\t1\t1\t1\t1\t10\t20\t120\t40\t96.5\t";
        for (String bad : List.of(
                "<html>hocr</html>\n",
                H + "5\t1\t1\t1\t1\t1\t10\t20\t120\t40\t96.5\n", // 11 fields
                H + "5\t1\t1\t1\t1\t1\t990\t20\t120\t40\t96.5\tout\n", // beyond the right edge
                H + "5\t1\t1\t1\t1\t1\t-1\t20\t120\t40\t96.5\tneg\n",
                H + "5\t1\t1\t1\t1\t1\t1\t20\t1234567890\t40\t96.5\tbig\n",
                H + "6\t1\t1\t1\t1\t1\t10\t20\t120\t40\t96.5\tlevel\n",
                H + "4\t1\t1\t1\t1\t0\t10\t20\t120\t40\t-1\ttext on a line\n",
                H + ok + "bell\u0007\n",
                H + ok + "rtl\u202eoverride\n",
                H + ok + "x".repeat(OcrWords.MAX_WORD_CHARS + 1) + "\n",
                H + "5\t1\t1\t1\t1\t1\t10\t20\t120\t40\tNaN\tconf\n")) {
            assertThatThrownBy(() -> parse(bad))
                    .as(bad)
                    .isInstanceOf(IsolaException.class)
                    .hasMessageStartingWith("the OCR text page-1.tsv was refused (");
        }
        byte[] notUtf8 = (H + ok).getBytes(StandardCharsets.UTF_8);
        byte[] withBad = java.util.Arrays.copyOf(notUtf8, notUtf8.length + 2);
        withBad[withBad.length - 2] = (byte) 0xC3;
        withBad[withBad.length - 1] = (byte) 0x28;
        assertThatThrownBy(() -> OcrWords.parse("page-1.tsv", withBad, 1000, 1000))
                .hasMessageContaining("not UTF-8");
    }

    @Test
    void aHugeOrLinkedFileIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
        Path sparse = dir.resolve("page-1.tsv");
        try (var f = java.nio.channels.FileChannel.open(
                sparse, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.wrap(new byte[] {1}), 1L << 31);
        }
        assertThatThrownBy(() -> OcrWords.read(sparse, 1000, 1000)).hasMessageContaining("bytes, more than");
        Path target = Files.writeString(dir.resolve("real.tsv"), H);
        Path link = Files.createSymbolicLink(dir.resolve("page-2.tsv"), target);
        assertThatThrownBy(() -> OcrWords.read(link, 1000, 1000)).hasMessageContaining("not a regular file");
        assertThat(OcrWords.read(target, 1000, 1000)).isEmpty();
    }

    @Test
    void tooManyWordsAreRefused() {
        StringBuilder many = new StringBuilder(H);
        for (int i = 0; i <= OcrWords.MAX_WORDS; i++) {
            many.append("5\t1\t1\t1\t1\t1\t10\t20\t12\t40\t96\tw\n");
        }
        assertThatThrownBy(() -> parse(many.toString())).hasMessageContaining("more than " + OcrWords.MAX_WORDS);
    }
}
