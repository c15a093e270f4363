package io.isola.task;

import io.isola.core.IsolaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The languages of {@code --ocr}, checked on the host before any cell starts: Tesseract's codes joined by {@code +}
 * ({@code eng}, {@code eng+deu}, {@code chi_sim}), each with its data installed. The cell sees the host's packages, so
 * what is missing here is missing there, and the person is told which Debian package to install.
 */
final class OcrLanguages {
    /** What {@code --ocr} alone means. */
    static final String DEFAULT = "eng";

    static final Path TESSERACT = Path.of("/usr/bin/tesseract");
    /** Where Debian 12's tesseract-ocr-LANG packages put their data (Tesseract 5). */
    static final Path TESSDATA = Path.of("/usr/share/tesseract-ocr/5/tessdata");

    private static final Pattern CODES = Pattern.compile("[a-z]{3}(_[a-z]{2,5})?(\\+[a-z]{3}(_[a-z]{2,5})?){0,7}");

    private OcrLanguages() {}

    /** Whether {@code word} reads as languages ({@code eng+deu}) rather than, say, a file name. */
    static boolean looksLikeLanguages(String word) {
        return CODES.matcher(word).matches();
    }

    /**
     * {@code languages}, checked.
     *
     * @throws IsolaException (exit 2) in one line when the spelling is wrong, Tesseract is not installed, or a language's
     *     data is missing: the line names the package to install
     */
    static String check(String languages) {
        if (!looksLikeLanguages(languages)) {
            throw new IsolaException(
                    "--ocr takes Tesseract's language codes joined by +, e.g. eng or eng+deu, not '"
                            + io.isola.core.TerminalText.printable(languages) + "'",
                    2);
        }
        if (!Files.isExecutable(TESSERACT)) {
            throw new IsolaException("--ocr needs Tesseract: apt-get install tesseract-ocr", 2);
        }
        for (String lang : languages.split("\\+")) {
            if (!Files.isRegularFile(TESSDATA.resolve(lang + ".traineddata"))) {
                throw new IsolaException(
                        "--ocr " + lang + " needs its language data: apt-get install tesseract-ocr-"
                                + lang.replace('_', '-'),
                        2);
            }
        }
        return languages;
    }
}
