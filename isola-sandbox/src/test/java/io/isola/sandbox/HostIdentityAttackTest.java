package io.isola.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A task that tries to learn which host it runs on, and whose: the kernel's own files in /proc, the mount table
 * and the command lines of the cell's processes. Each test reads them from inside a real cell.
 */
class HostIdentityAttackTest extends WithEngine {
    /** The kernel's files that name the host or show what it does: symbols, keys, boot command line, disks, locks. */
    private static final List<String> HOST_FILES = List.of(
            "/proc/kallsyms",
            "/proc/key-users",
            "/proc/keys",
            "/proc/cmdline",
            "/proc/config.gz",
            "/proc/modules",
            "/proc/interrupts",
            "/proc/partitions",
            "/proc/diskstats",
            "/proc/swaps",
            "/proc/locks",
            "/proc/timer_list",
            "/proc/sched_debug",
            "/proc/kcore",
            "/proc/kmsg",
            "/proc/vmallocinfo",
            "/proc/slabinfo",
            "/proc/sys/kernel/random/boot_id");

    private static final List<String> HOST_DIRS = List.of("/proc/bus", "/proc/asound", "/proc/scsi", "/sys");

    @Test
    void eachCellHasItsOwnBootIdAndNoneIsTheHosts() throws IOException {
        String host =
                Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        String first = cells.sh("cat /proc/sys/kernel/random/boot_id").out().trim();
        String second = cells.sh("cat /proc/sys/kernel/random/boot_id").out().trim();
        assertThat(first)
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
                .isNotEqualTo(host)
                .isNotEqualTo(second);
        assertThat(second).isNotEqualTo(host);
    }

    @Test
    void theMountTableNamesNoHostPath() {
        // Under a user's Isola the state directory is in their home, and its path names them.
        String state = cells.state.toString();
        TestCells.Result r = cells.sh("cat /proc/self/mountinfo; echo; cat /proc/self/mounts");
        assertThat(r.out()).contains(" / ", "overlay").doesNotContain(state, "/run/", "/tmp/", "/home");
        // Every directory an overlay is made of is named by a descriptor, never by its host path.
        List<String> dirs = r.out()
                .lines()
                .filter(l -> l.contains("overlay"))
                .flatMap(l -> java.util.Arrays.stream(l.split("[ ,]")))
                .filter(o -> o.startsWith("lowerdir=") || o.startsWith("upperdir=") || o.startsWith("workdir="))
                .flatMap(o ->
                        java.util.Arrays.stream(o.substring(o.indexOf('=') + 1).split(":")))
                .toList();
        assertThat(dirs).isNotEmpty().allSatisfy(d -> assertThat(d).matches("/proc/self/fd/[0-9]+"));
    }

    @Test
    void theCellsProcessesShowNoHostPathInTheirCommandLines() {
        String state = cells.state.toString();
        TestCells.Result r = cells.sh("for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done");
        assertThat(r.out()).contains("bwrap").doesNotContain(state, "--bind", "--userns");
    }

    @Test
    void theKernelsDescriptionOfTheHostCannotBeRead() throws IOException {
        String script = """
                for f in %s; do [ "$(head -c 1 "$f" 2>/dev/null | wc -c)" != 0 ] && echo "READ $f"; done
                for d in %s; do [ -n "$(ls -A "$d" 2>/dev/null)" ] && echo "LISTED $d"; done
                cat /proc/cmdline
                echo end
                """.formatted(
                        String.join(" ", HOST_FILES.subList(0, HOST_FILES.size() - 1)), String.join(" ", HOST_DIRS));
        TestCells.Result r = cells.sh(script);
        assertThat(r.out()).doesNotContain("READ", "LISTED");
        String hostCmdline = Files.readString(Path.of("/proc/cmdline")).trim();
        assertThat(hostCmdline).isNotEmpty();
        assertThat(r.out()).doesNotContain(hostCmdline).endsWith("end\n");
    }

    @Test
    void theLoadShowsNotTheHostsThreads() {
        // The fourth field of /proc/loadavg counts every thread on the host; this JVM alone has dozens.
        String loadavg = cells.sh("cat /proc/loadavg").out().trim();
        String[] fields = loadavg.split(" ");
        assertThat(fields).as(loadavg).hasSize(5);
        int threads = Integer.parseInt(fields[3].split("/")[1]);
        assertThat(threads).as(loadavg).isLessThan(10);
        assertThat(Thread.getAllStackTraces().size()).isGreaterThan(10);
    }

    @Test
    void ordinaryProcFilesStillWork() {
        TestCells.Result r = cells.sh("""
                grep -q MemTotal /proc/meminfo && echo meminfo
                grep -q processor /proc/cpuinfo && echo cpuinfo
                grep -q '^cpu ' /proc/stat && echo stat
                cat /proc/uptime >/dev/null && echo uptime
                cat /proc/self/status | grep -q '^Pid:' && echo status
                ps -e >/dev/null 2>&1 && echo ps
                cat /proc/sys/kernel/random/uuid >/dev/null && echo uuid
                """);
        assertThat(r.out().lines().toList())
                .as(r.err())
                .containsExactly("meminfo", "cpuinfo", "stat", "uptime", "status", "ps", "uuid");
    }
}
