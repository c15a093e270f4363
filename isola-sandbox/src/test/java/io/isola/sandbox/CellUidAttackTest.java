package io.isola.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Cell;
import io.isola.core.Limits;
import io.isola.core.Stdio;
import io.isola.core.ViewEntry;
import io.isola.linux.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-user kernel limits (inotify instances, pipe pages, RLIMIT_NPROC, mqueue bytes…) are counted per host uid.
 * Cells that share one host uid share those counts: one cell could use them all up for every other cell and, under
 * sudo, for the caller's own desktop. Each cell must therefore be a host uid of its own, while what it writes into a
 * --rw folder still belongs to the caller. The engine here runs as if through sudo by uid {@value #CALLER}.
 */
class CellUidAttackTest {
    static final int CALLER = 4321;
    /** inotify_init(2) on x86-64. */
    static final String INOTIFY_INIT = "253";

    static TestCells cells;
    /** A ramfs of the caller's: the engine copies the host's mounts when it starts, so it is mounted before. */
    static Path ramfs;

    @BeforeAll
    static void startEngine() throws IOException {
        ramfs = callersDir();
        Libc.mount("isola-test-ramfs", ramfs.toString(), "ramfs", 0, "mode=0700");
        Libc.chown(ramfs.toString(), CALLER, CALLER);
        cells = new TestCells(Map.of("SUDO_UID", Integer.toString(CALLER), "SUDO_GID", Integer.toString(CALLER)));
    }

    @AfterAll
    static void closeEngine() {
        try {
            cells.close();
        } finally {
            Libc.umount2(ramfs.toString(), Libc.MNT_DETACH);
            TestCells.deleteTree(ramfs);
        }
    }

    @Test
    void aCellThatUsesUpItsInotifyInstancesLeavesOtherCellsAndTheCallerTheirs() throws Exception {
        Assumptions.assumeTrue(
                System.getProperty("os.arch").equals("amd64"),
                "inotify_init is system call 253 on x86-64 only; this machine is " + System.getProperty("os.arch"));
        Path out = cells.scratch("hog");
        // The hog takes inotify instances until the kernel refuses one, says how many, and keeps them all.
        String hog = "$| = 1; my $n = 0; $n++ while syscall(" + INOTIFY_INIT + ") >= 0; print \"$n\\n\"; sleep 60";
        try (Cell hogCell = cells.engine.start(
                TestCells.spec(List.of("/usr/bin/perl", "-e", hog), Limits.DEFAULT, List.of()),
                Stdio.files(null, out, null))) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (Files.readString(out).isBlank()) {
                assertThat(System.nanoTime()).as("the hog never reported").isLessThan(deadline);
                Thread.sleep(20);
            }
            int hogged = Integer.parseInt(Files.readString(out).trim());
            assertThat(hogged).as("the kernel's per-user limit stopped the hog").isLessThan(100_000);

            String ten = "my $n = 0; for (1 .. 10) { $n++ if syscall(" + INOTIFY_INIT + ") >= 0 } print \"$n\\n\"";
            TestCells.Result other =
                    cells.run(TestCells.spec(List.of("/usr/bin/perl", "-e", ten), Limits.DEFAULT, List.of()), null);
            assertThat(other.out().trim())
                    .as("a second cell's inotify instances")
                    .isEqualTo("10");

            Process caller = new ProcessBuilder(
                            "/usr/bin/setpriv",
                            "--reuid=" + CALLER,
                            "--regid=" + CALLER,
                            "--clear-groups",
                            "/usr/bin/perl",
                            "-e",
                            ten)
                    .redirectErrorStream(true)
                    .start();
            assertThat(new String(caller.getInputStream().readAllBytes()).trim())
                    .as("the caller's own inotify instances")
                    .isEqualTo("10");
        }
    }

    @Test
    void everyCellIsAHostUidOfItsOwnThatIsNeitherTheCallerNorRoot() throws Exception {
        try (Cell a = sleeper();
                Cell b = sleeper()) {
            long uidA = hostUid(a.pid()), uidB = hostUid(b.pid());
            assertThat(uidA).isNotEqualTo(uidB).isNotIn(0L, (long) CALLER);
            assertThat(uidB).isNotIn(0L, (long) CALLER);
            a.close();
            b.close();
            // The kernel ends the rest of a pid namespace after its pid 1, and the cleaner empties the cgroup after
            // close returns: a moment later nothing runs as either uid.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (processesOf(uidA) + processesOf(uidB) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(processesOf(uidA) + processesOf(uidB))
                    .as("processes left of closed cells")
                    .isZero();
        }
    }

    @Test
    void whatACellWritesIntoARwFolderBelongsToTheCallerAndTheCallersFilesStayReadable() throws Exception {
        Path dir = callersDir();
        Path rw = Files.createDirectory(dir.resolve("rw"));
        Path secret = Files.writeString(dir.resolve("note.txt"), "only the caller reads this\n");
        for (Path p : List.of(dir, rw, secret)) {
            Libc.chown(p.toString(), CALLER, CALLER);
        }
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(rw, PosixFilePermissions.fromString("rwx------"));
        try {
            TestCells.Result r = cells.run(
                    TestCells.spec(
                            List.of(
                                    "/bin/sh",
                                    "-c",
                                    "cat /home/user/note.txt && echo made > /home/user/rw/new && mkdir /home/user/rw/sub"),
                            Limits.DEFAULT,
                            List.of(
                                    new ViewEntry(secret, Path.of("/home/user/note.txt"), ViewEntry.Access.READ_ONLY),
                                    new ViewEntry(rw, Path.of("/home/user/rw"), ViewEntry.Access.READ_WRITE))),
                    null);
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(r.out()).contains("only the caller reads this");
            for (Path made : List.of(rw.resolve("new"), rw.resolve("sub"))) {
                assertThat(Files.getAttribute(made, "unix:uid"))
                        .as(made.toString())
                        .isEqualTo(CALLER);
                assertThat(Files.getAttribute(made, "unix:gid"))
                        .as(made.toString())
                        .isEqualTo(CALLER);
            }
        } finally {
            TestCells.deleteTree(dir);
        }
    }

    /**
     * Others' files keep their owners through the idmapping (the kernel refuses writes to files whose owner it
     * leaves out): a world-writable folder of root's takes the cell's files, as the caller's.
     */
    @Test
    void aCellWritesIntoAWorldWritableFolderOfSomeoneElsesAsTheCaller() throws Exception {
        Path shared = Files.createTempDirectory(Path.of("/var/tmp"), "isola-shared");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            TestCells.Result r = cells.run(
                    TestCells.spec(
                            List.of("/bin/sh", "-c", "echo made > /home/user/rw/new"),
                            Limits.DEFAULT,
                            List.of(new ViewEntry(shared, Path.of("/home/user/rw"), ViewEntry.Access.READ_WRITE))),
                    null);
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(Files.getAttribute(shared, "unix:uid")).isEqualTo(0);
            assertThat(Files.getAttribute(shared.resolve("new"), "unix:uid")).isEqualTo(CALLER);
        } finally {
            TestCells.deleteTree(shared);
        }
    }

    /**
     * ramfs cannot be idmapped, so a cell that is shown a folder on it cannot be a uid of its own: it falls back to
     * the caller's uid, says so in the audit log, and still works as before, rather than failing or writing as a
     * stranger.
     */
    @Test
    void aFolderThatCannotBeIdmappedFallsBackToTheCallersUidAndSaysSo() throws Exception {
        Path dir = ramfs;
        try (Cell cell = cells.engine.start(
                TestCells.spec(
                        List.of("/bin/sh", "-c", "echo made > /home/user/rw/new && sleep 1"),
                        Limits.DEFAULT,
                        List.of(new ViewEntry(dir, Path.of("/home/user/rw"), ViewEntry.Access.READ_WRITE))),
                Stdio.files(null, null, null))) {
            assertThat(hostUid(cell.pid())).isEqualTo(CALLER);
            assertThat(cell.waitFor().exitCode()).isZero();
            assertThat(Files.getAttribute(dir.resolve("new"), "unix:uid")).isEqualTo(CALLER);
            assertThat(cells.auditLines())
                    .anyMatch(l ->
                            l.contains("\"cell.uid_shared\"") && l.contains(cell.id()) && l.contains(dir.toString()));
        }
    }

    private static Path callersDir() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "isola-caller");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    private static Cell sleeper() {
        return cells.engine.start(
                TestCells.spec(List.of("/bin/sleep", "60"), Limits.DEFAULT, List.of()), Stdio.files(null, null, null));
    }

    /** The real uid of a host process, as /proc shows it (unsigned). */
    static long hostUid(int pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
            if (line.startsWith("Uid:")) {
                return Long.parseLong(line.split("\\s+")[1]);
            }
        }
        throw new AssertionError("no Uid line for pid " + pid);
    }

    static int processesOf(long uid) throws IOException {
        int n = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try {
                    if (hostUid(Integer.parseInt(p.getFileName().toString())) == uid) {
                        n++;
                    }
                } catch (IOException | AssertionError e) {
                    // the process ended meanwhile
                }
            }
        }
        return n;
    }
}
