package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Cell;
import io.isola.core.Stdio;
import io.isola.core.TaskFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image holds what the policy's handlers and the safe view's renderers need (magic, fonts and fontconfig,
 * poppler, the alternatives links), and the host's /etc as the sandbox shows it: without its secrets or host users.
 */
@Timeout(300) // the first test of a run also builds the image and the golden VM
@Tag("qemu")
class VmImageContentTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {}

    private Result run(TaskFiles files, String... command) throws Exception {
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        try (Cell c = TestVms.engine()
                .start(TestVms.spec(List.of(command), files), Stdio.files(Path.of("/dev/null"), out, err))) {
            int code = c.waitFor().exitCode();
            return new Result(code, Files.readString(out), Files.readString(err));
        }
    }

    private Result run(String... command) throws Exception {
        return run(TaskFiles.NONE, command);
    }

    @Test
    void fileKnowsAPdfByItsMagic() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.copy(Path.of("../examples/invoice.pdf"), in.resolve("doc"));
        Result r = run(
                new TaskFiles(List.of(new TaskFiles.Input(in, "/task/in")), null),
                "/usr/bin/file",
                "-b",
                "--mime-type",
                "/task/in/doc");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("application/pdf\n");
    }

    /**
     * The image carries the host's fonts and fontconfig's configuration, so text renders in the VM as in a sandbox
     * cell: the guest picks the host's monospace font (DejaVu or Noto, by what the set-up installed).
     */
    @Test
    void fontconfigPicksTheHostsFonts() throws Exception {
        Result r = run("/usr/bin/fc-match", "monospace");
        assertThat(r.code()).as(r.err()).isZero();
        Process host = new ProcessBuilder("fc-match", "monospace").start();
        String expected = new String(host.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(host.waitFor()).isZero();
        assertThat(expected).matches("(?s).+\\.(ttf|otf|pfb|t1)(: .*)?\n");
        assertThat(r.out()).isEqualTo(expected);
    }

    @Test
    void popplerRuns() throws Exception {
        Result r = run("/usr/bin/pdftoppm", "-v");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("pdftoppm version");
    }

    /** Many /usr/bin tools are links into /etc/alternatives (awk, pager, editor...). */
    @Test
    void toolsReachedThroughAlternativesRun() throws Exception {
        Result r = run("/bin/sh", "-c", "readlink /usr/bin/awk; awk 'BEGIN { print 6 * 7 }'");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("/etc/alternatives/awk\n42\n");
    }

    /**
     * What the host keeps from its other users (pg_hba.conf, polkit's rules, ...) must not become readable through
     * the image, a file any host user can read, nor to a task, which is root in its VM.
     */
    @Test
    void etcHoldsNothingTheHostKeepsFromOtherUsers() throws Exception {
        Result r = run("/bin/sh", "-c", "find /etc ! -type l ! -perm -o+r; find /etc -type d ! -perm -o+x");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
    }

    @Test
    void etcHasNoSecretsAndNoHostUsers() throws Exception {
        Result r = run(
                "/bin/sh",
                "-c",
                "for f in shadow gshadow sudoers machine-id ssl/private; do "
                        + "[ -e /etc/$f ] && echo present: $f; done; cut -d: -f1 /etc/passwd /etc/group; "
                        + "ls /etc/ssh 2>/dev/null | grep host_.*key$; ls /etc/fonts/fonts.conf /etc/ld.so.cache");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("present:", "ssh_host_").contains("/etc/fonts/fonts.conf");
        Set<String> names = r.out().lines().filter(l -> !l.startsWith("/")).collect(Collectors.toSet());
        assertThat(names).containsOnly("root", "nobody", "nogroup");
    }
}
