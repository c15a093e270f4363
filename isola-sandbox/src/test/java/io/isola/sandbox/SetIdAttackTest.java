package io.isola.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Limits;
import io.isola.core.ViewEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A cell may act as its caller on a --rw folder, root included. The view is mounted nosuid, but a file keeps its
 * mode bits on disk and is set-uid wherever else its file system is mounted, at its real path for one. So a cell
 * must never create a set-uid or set-gid file or folder, by any system call that sets a mode. Each attack runs in a
 * real cell, on a --rw folder and on the cell's own /tmp, and prints MADE when a call succeeded; the host then checks
 * that nothing on disk has a set-id bit.
 */
class SetIdAttackTest extends WithEngine {
    /** x86-64 system call numbers, for perl's syscall. */
    private static final String ATTACKS = """
            chmod:   syscall(90, "$d/c1", 04755)
            chmodg:  syscall(90, "$d/c2", 02755)
            fchmod:  do { open(my $h, "<", "$d/c3"); syscall(91, fileno($h), 04755) }
            fchmodat: syscall(268, -100, "$d/c4", 06755)
            fchmodat2: syscall(452, -100, "$d/c5", 04755, 0)
            open:    syscall(2, "$d/o1", 0101, 04755)
            openat:  syscall(257, -100, "$d/o2", 0101, 02755)
            tmpfile: syscall(257, -100, "$d", 020200002, 04755)
            creat:   syscall(85, "$d/o3", 04755)
            mkdir:   syscall(83, "$d/m1", 02775)
            mkdirat: syscall(258, -100, "$d/m2", 04775)
            mknod:   syscall(133, "$d/n1", 0104755, 0)
            mknodat: syscall(259, -100, "$d/n2", 0102755, 0)
            """;

    @Test
    void noSystemCallCreatesASetIdFileOrFolder() throws IOException {
        Assumptions.assumeTrue(
                System.getProperty("os.arch").equals("amd64"),
                "the attack uses x86-64 system call numbers; this machine is " + System.getProperty("os.arch"));
        Path rw = TestCells.sharedDir("isola-setid");
        try {
            StringBuilder script = new StringBuilder();
            for (String d : List.of("/home/user/rw", "/tmp")) {
                script.append("d=").append(d).append("; touch $d/c1 $d/c2 $d/c3 $d/c4 $d/c5\n");
                ATTACKS.lines().forEach(l -> {
                    String name = l.substring(0, l.indexOf(':')),
                            call = l.substring(l.indexOf(':') + 1).trim();
                    script.append("perl -e '$d = $ARGV[0]; $r = ")
                            .append(call)
                            .append("; print \"")
                            .append(name)
                            .append(" \", ($r >= 0 ? \"MADE\" : $!+0), \"\\n\"' \"$d\"\n");
                });
                script.append("touch $d/s1 $d/s2 $d/s3; chmod u+s $d/s1 && echo 'shell MADE u+s'\n")
                        .append("chmod g+s $d/s2 && echo 'shell MADE g+s'\n")
                        .append("install -m 4755 /bin/true $d/s4 && echo 'shell MADE install'\n")
                        .append("mkdir -m 2775 $d/s5 && echo 'shell MADE mkdir'\n")
                        .append("find $d -perm /6000 | sed 's/^/SETID /'\n")
                        .append("chmod 0755 $d/s3 && chmod 0600 $d/c1 && mkdir -m 0755 $d/ok && echo plain ok\n");
            }
            TestCells.Result r = cells.run(
                    TestCells.spec(
                            List.of("/bin/sh", "-c", script.toString()),
                            Limits.DEFAULT,
                            List.of(new ViewEntry(rw, Path.of("/home/user/rw"), ViewEntry.Access.READ_WRITE))),
                    null);
            assertThat(r.out()).as(r.toString()).doesNotContain("MADE", "SETID");
            assertThat(r.out().lines().filter(l -> !l.startsWith("plain")))
                    .as(r.toString())
                    .hasSize(2 * (int) ATTACKS.lines().count())
                    .allSatisfy(l -> assertThat(l).endsWith(" 1"));
            assertThat(r.out().lines().filter(l -> l.equals("plain ok"))).hasSize(2);
            try (Stream<Path> made = Files.walk(rw)) {
                assertThat(made.filter(p -> (mode(p) & 06000) != 0))
                        .as("set-id files on disk")
                        .isEmpty();
            }
            assertThat(mode(rw.resolve("s3")) & 07777).isEqualTo(0755);
        } finally {
            TestCells.deleteTree(rw);
        }
    }

    @Test
    void openat2IsAnsweredEnosysSoThatLibcFallsBackToOpenat() {
        Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"), "x86-64 system call numbers");
        TestCells.Result r = cells.sh("perl -e '$h = pack(\"QQQ\", 0101, 04755, 0); "
                + "$p = \"/tmp/o\"; $r = syscall(437, -100, $p, $h, 24); print $r, \" \", $!+0, \"\\n\"'; ls /tmp");
        assertThat(r.out()).isEqualTo("-1 38\n");
    }

    private static int mode(Path p) {
        try {
            return (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS) & 07777;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
