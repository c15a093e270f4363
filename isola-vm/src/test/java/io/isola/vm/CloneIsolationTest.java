package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Cell;
import io.isola.core.CellExit;
import io.isola.core.Harvest;
import io.isola.core.OutputQuota;
import io.isola.core.Stdio;
import io.isola.core.TaskFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attacks from inside a clone: the host's files, and traces left for the next clone. */
@Tag("qemu")
class CloneIsolationTest {
    @TempDir
    Path tmp;

    private String run(String script) throws Exception {
        return run(script, TaskFiles.NONE);
    }

    private String run(String script, TaskFiles files) throws Exception {
        Path out = tmp.resolve("out-" + System.nanoTime());
        try (Cell c = TestVms.engine()
                .start(
                        TestVms.spec(List.of("/bin/sh", "-c", script), files),
                        Stdio.files(Path.of("/dev/null"), out, out))) {
            CellExit e = c.waitFor();
            assertThat(e.reason()).isEqualTo(CellExit.Reason.EXITED);
        }
        return Files.readString(out);
    }

    @Test
    void theGuestCannotReadHostFilesBeyondItsView() throws Exception {
        Path secret = Files.writeString(tmp.resolve("host-secret.txt"), "s3cret");
        String out = run("cat " + secret + " /etc/shadow /root/.m2/settings.xml 2>&1; ls /usr/share /home 2>&1;"
                + " ls " + tmp + " 2>&1; grep -c . /proc/mounts");
        assertThat(out).doesNotContain("s3cret").contains("No such file");
        assertThat(out).doesNotContain("root:"); // the host's /etc/shadow lines
    }

    @Test
    void writesToFilesAndMemoryDoNotReachTheNextClone() throws Exception {
        String first = run(
                "echo trace > /tmp/left-behind; echo trace > /usr/bin/left-behind;"
                        + " echo 1 > /root/mark; cat /tmp/left-behind /usr/bin/left-behind; head -c 16 /dev/urandom | od -An -tx1");
        assertThat(first).startsWith("trace\ntrace\n"); // the writes did happen, in the first clone's memory
        String second = run(
                "ls /tmp/left-behind /usr/bin/left-behind /root/mark 2>&1;" + " head -c 16 /dev/urandom | od -An -tx1");
        assertThat(second)
                .contains("'/tmp/left-behind': No such file")
                .contains("'/usr/bin/left-behind': No such file")
                .contains("'/root/mark': No such file");
        // both clones start from one memory image; the host's fresh seed makes their randomness differ
        assertThat(second.lines().reduce((a, b) -> b).orElseThrow())
                .isNotEqualTo(first.lines().reduce((a, b) -> b).orElseThrow());
    }

    @Test
    void inputsComeInAndOutputsAndChangedInputsComeOut() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("inputs"));
        Files.writeString(in.resolve("doc.txt"), "original");
        Files.writeString(in.resolve("same.txt"), "untouched");
        TaskFiles files = new TaskFiles(List.of(new TaskFiles.Input(in, "/task/in")), "/task/out");
        Path out = tmp.resolve("o");
        Path staged = Files.createDirectories(tmp.resolve("staged"));
        try (Cell c = TestVms.engine()
                .start(
                        TestVms.spec(
                                List.of(
                                        "/bin/sh",
                                        "-c",
                                        "cat /task/in/doc.txt > /task/out/copy.txt; echo changed > /task/in/doc.txt;"
                                                + " ln -s /etc/passwd /task/out/link"),
                                files),
                        Stdio.files(Path.of("/dev/null"), out, out))) {
            assertThat(c.waitFor().exitCode()).isZero();
            Harvest h = c.harvest(staged, OutputQuota.DEFAULT);
            assertThat(h.files()).extracting(Harvest.OutputFile::name).containsExactlyInAnyOrder("copy.txt", "doc.txt");
            assertThat(h.problems()).extracting(Harvest.Problem::name).contains("link");
            Harvest.OutputFile changed = h.files().stream()
                    .filter(f -> f.kind() == Harvest.Kind.CHANGED_INPUT)
                    .findFirst()
                    .orElseThrow();
            assertThat(changed.input()).isEqualTo("/task/in/doc.txt");
            assertThat(Files.readString(changed.staged())).isEqualTo("changed\n");
        }
        assertThat(Files.readString(in.resolve("doc.txt"))).isEqualTo("original");
    }
}
