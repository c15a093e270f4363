package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Cell;
import io.isola.core.Harvest;
import io.isola.core.OutputQuota;
import io.isola.core.Stdio;
import io.isola.core.TaskFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Task files and streams of real size through a real guest, and the agent's test for changed inputs. */
@Timeout(300) // the first test of a run also builds the image and the golden VM; a hang must not stall the build
@Tag("qemu")
class VmTaskFilesTest {
    @TempDir
    Path tmp;

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Before the agent's port streams, an input that arrived in pieces killed the agent ("Illegal seek"). */
    @Test
    void aLargeInputArrivesWhole() throws Exception {
        byte[] data = random(12 << 20);
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.write(in.resolve("big.bin"), data);
        Path out = tmp.resolve("out");
        TaskFiles files = new TaskFiles(List.of(new TaskFiles.Input(in, "/task/in")), null);
        try (Cell c = TestVms.engine()
                .start(
                        TestVms.spec(List.of("/usr/bin/sha256sum", "/task/in/big.bin"), files),
                        Stdio.files(Path.of("/dev/null"), out, out))) {
            assertThat(c.waitFor().exitCode()).isZero();
        }
        assertThat(Files.readString(out)).startsWith(sha256(data) + " ");
    }

    @Test
    void largeStdinStreamsInWhole() throws Exception {
        byte[] data = random(4 << 20);
        Path stdin = Files.write(tmp.resolve("stdin.bin"), data);
        Path out = tmp.resolve("out");
        try (Cell c =
                TestVms.engine().start(TestVms.spec(List.of("/usr/bin/sha256sum")), Stdio.files(stdin, out, out))) {
            assertThat(c.waitFor().exitCode()).isZero();
        }
        assertThat(Files.readString(out)).startsWith(sha256(data) + " ");
    }

    /**
     * The agent tells changed inputs by their inode stamps, and the kernel stamps at clock-tick granularity: a
     * same-size rewrite at once, in the task's first instant, must still count as a change.
     */
    @Test
    void anInputRewrittenAtOnceWithTheSameSizeComesOut() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.writeString(in.resolve("doc.txt"), "original");
        Files.writeString(in.resolve("same.txt"), "untouched");
        TaskFiles files = new TaskFiles(List.of(new TaskFiles.Input(in, "/task/in")), "/task/out");
        Path staged = Files.createDirectories(tmp.resolve("staged"));
        try (Cell c = TestVms.engine()
                .start(
                        TestVms.spec(
                                List.of(
                                        "/bin/sh",
                                        "-c",
                                        "printf ORIGINAL 1<> /task/in/doc.txt; cat /task/in/same.txt > /dev/null"),
                                files),
                        Stdio.files(Path.of("/dev/null"), tmp.resolve("o"), tmp.resolve("o")))) {
            assertThat(c.waitFor().exitCode()).isZero();
            Harvest h = c.harvest(staged, OutputQuota.DEFAULT);
            assertThat(h.files()).extracting(Harvest.OutputFile::name).containsExactly("doc.txt");
            assertThat(Files.readString(h.files().get(0).staged())).isEqualTo("ORIGINAL");
        }
    }
}
