package io.isola.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.Cell;
import io.isola.core.IsolaException;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Root runs Isola without sudo (no SUDO_UID), as the README's first steps do: the cell acts as root on its view, so
 * root shares its own files in its 0700 home and what a cell writes to a --rw folder is root's. The cell is still a
 * host uid of its own without capabilities: acting as root's files' owner gives it no chown, no device nodes, no
 * set-id files (SetIdAttackTest), and it never runs as host root, not even when its view cannot be idmapped.
 */
@Tag("kernel")
class RootCallerTest {
    static TestCells cells;
    /** ramfs cannot be idmapped; mounted before the engine starts, which copies the host's mounts. */
    static Path ramfs;

    @BeforeAll
    static void startEngine() throws IOException {
        ramfs = Files.createTempDirectory(Path.of("/var/tmp"), "isola-root-ramfs");
        Libc.mount("isola-test-ramfs", ramfs.toString(), "ramfs", 0, "mode=0700");
        cells = new TestCells(Map.of());
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
    void rootSharesItsOwnFilesInA0700FolderAndOwnsWhatTheCellWrites() throws Exception {
        Path home = privateDir();
        Path report = Files.writeString(home.resolve("report.txt"), "root's report\n");
        Files.setPosixFilePermissions(report, PosixFilePermissions.fromString("rw-------"));
        Path out = Files.createDirectory(home.resolve("out"));
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwx------"));
        try (Cell cell = cells.engine.start(
                TestCells.spec(
                        List.of(
                                "/bin/sh",
                                "-c",
                                "cat " + report + " && echo made > " + out + "/new && mkdir " + out
                                        + "/sub && sleep 1"),
                        Limits.DEFAULT,
                        List.of(
                                new ViewEntry(report, report, ViewEntry.Access.READ_ONLY),
                                new ViewEntry(out, out, ViewEntry.Access.READ_WRITE))),
                Stdio.files(null, cells.scratch("out"), null))) {
            assertThat(CellUidAttackTest.hostUid(cell.pid()))
                    .as("the cell's own host uid")
                    .isNotZero()
                    .isGreaterThanOrEqualTo(CellUids.FIRST);
            assertThat(cell.waitFor().exitCode()).isZero();
            for (Path made : List.of(out.resolve("new"), out.resolve("sub"))) {
                assertThat(Files.getAttribute(made, "unix:uid"))
                        .as(made.toString())
                        .isEqualTo(0);
                assertThat(Files.getAttribute(made, "unix:gid"))
                        .as(made.toString())
                        .isEqualTo(0);
            }
        } finally {
            TestCells.deleteTree(home);
        }
    }

    @Test
    void actingAsRootOnTheViewGivesNoChownNoDevicesAndNoOtherUsersFiles() throws Exception {
        Path home = privateDir();
        Path rw = Files.createDirectory(home.resolve("rw"));
        Path mine = Files.writeString(rw.resolve("mine"), "x");
        Path alices = Files.writeString(rw.resolve("alices"), "alice's secret");
        Libc.chown(alices.toString(), 4321, 4321);
        Files.setPosixFilePermissions(alices, PosixFilePermissions.fromString("rw-------"));
        try {
            TestCells.Result r = cells.run(
                    TestCells.spec(
                            List.of("/bin/sh", "-c", """
                    d=/home/user/rw
                    chown 4321 $d/mine 2>/dev/null && echo CHOWNED
                    chown 0:4321 $d/mine 2>/dev/null && echo CHGRPED
                    mknod $d/mem c 1 1 2>/dev/null && echo MKNOD
                    mknod $d/sda b 8 0 2>/dev/null && echo MKNOD block
                    cat $d/alices 2>/dev/null && echo READ alice
                    echo x >> $d/alices 2>/dev/null && echo WROTE alice
                    echo ok > $d/mine && echo own ok
                    """),
                            Limits.DEFAULT,
                            List.of(new ViewEntry(rw, Path.of("/home/user/rw"), ViewEntry.Access.READ_WRITE))),
                    null);
            assertThat(r.out()).isEqualTo("own ok\n");
            assertThat(Files.getAttribute(mine, "unix:uid")).isEqualTo(0);
            assertThat(Files.getAttribute(mine, "unix:gid")).isEqualTo(0);
            assertThat(Files.readString(alices)).isEqualTo("alice's secret");
            assertThat(rw.resolve("mem")).doesNotExist();
            assertThat(rw.resolve("sda")).doesNotExist();
        } finally {
            TestCells.deleteTree(home);
        }
    }

    @Test
    void aViewThatCannotBeIdmappedIsRefusedRatherThanRunAsRoot() {
        var spec = TestCells.spec(
                List.of("/bin/sh", "-c", "id -u > /home/user/rw/who"),
                Limits.DEFAULT,
                List.of(new ViewEntry(ramfs, Path.of("/home/user/rw"), ViewEntry.Access.READ_WRITE)));
        assertThatThrownBy(() -> cells.run(spec, null))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("cannot show " + ramfs + " to the cell: its file system cannot be idmapped")
                .hasMessageContaining("never runs as host root")
                .hasMessageContaining("ISOLA_CELL_UID");
        assertThat(ramfs.resolve("who")).doesNotExist();
        assertThat(cells.sh("echo still works").out()).isEqualTo("still works\n");
    }

    private static Path privateDir() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "isola-root-home");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }
}
