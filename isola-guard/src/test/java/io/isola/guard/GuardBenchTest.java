package io.isola.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard's benchmark runs and reports every row. Its targets (judged files at most 1.3× unwatched, a denial under
 * 1 ms median) are checked by the benchmark command on a quiet machine, never by a timed test: see BENCHMARKS.md.
 */
@Tag("kernel")
class GuardBenchTest {
    @TempDir
    Path tmp;

    @Test
    void theBenchmarkReportsEveryRow() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GuardBench.run(tmp, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(table);

        Matcher judged = Pattern.compile("judged \\(the kernel's ignore marks\\) \\| [0-9.]+ µs \\| ([0-9.]+)x")
                .matcher(table);
        assertThat(judged.find()).as(table).isTrue();
        assertThat(Double.parseDouble(judged.group(1))).as(table).isPositive();
        Matcher denial = Pattern.compile("denial of a tainted file \\| median ([0-9.]+) µs")
                .matcher(table);
        assertThat(denial.find()).as(table).isTrue();
        assertThat(Double.parseDouble(denial.group(1))).as(table).isPositive();
        // the anchor: Debian's fapolicyd on the same files, or one line that says why it did not run
        Matcher anchor = Pattern.compile("\\| fapolicyd \\(Debian's rules\\) \\| (?:[0-9.]+ µs \\| ([0-9.]+)x|not run: "
                        + "[^|\\n]+\\|)")
                .matcher(table);
        assertThat(anchor.find()).as(table).isTrue();
        if (anchor.group(1) != null) {
            assertThat(Double.parseDouble(anchor.group(1))).as(table).isPositive();
        } else {
            System.out.println("fapolicyd did not run here: " + anchor.group());
        }
    }
}
