package io.isola.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Limits;
import io.isola.core.ViewEntry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each test is an attack run from inside a real cell, and asserts that it fails. The cell's own output is the
 * evidence: scripts print OPEN/READ/WROTE only when the attack worked.
 */
class IsolationAttackTest extends WithEngine {
    @Test
    void cannotReadHostSecrets() {
        TestCells.Result r = cells.sh("""
                for f in /etc/shadow /etc/gshadow /etc/sudoers /etc/machine-id /etc/ssh/ssh_host_ed25519_key \
                         /root/.bashrc /root /var/lib/dpkg/status; do
                  cat "$f" >/dev/null 2>&1 && echo "READ $f"; ls "$f" >/dev/null 2>&1 && echo "EXISTS $f"
                done
                ls /home; cat /etc/passwd
                """);
        assertThat(r.out()).doesNotContain("READ", "EXISTS");
        assertThat(r.out()).contains("user").doesNotContain(hostUserNames());
    }

    @Test
    void cannotSeeOtherUsersHomes() throws IOException {
        assertThat(cells.sh("ls -A /home").out().trim()).isEqualTo("user");
        assertThat(cells.sh("ls -A /home/user").out()).isEmpty();
    }

    @Test
    void cannotWriteAnywhereOnTheHost() throws IOException {
        Path given = TestCells.sharedDir("isola-ro");
        Files.writeString(given.resolve("doc.txt"), "original");
        Files.setPosixFilePermissions(
                given.resolve("doc.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        String marker = "isola-attack-" + System.nanoTime();
        TestCells.Result r = cells.run(
                TestCells.spec(
                        List.of("/bin/sh", "-c", """
                for d in /usr/bin /etc /usr/lib /opt /var /run /; do
                  echo x > "$d/%1$s" 2>/dev/null && echo "WROTE $d"
                done
                echo changed > %2$s/doc.txt 2>/dev/null && echo "WROTE given"
                rm -f %2$s/doc.txt 2>/dev/null; ls %2$s/doc.txt >/dev/null || echo "DELETED given"
                echo x > /tmp/%1$s && echo "tmp ok"
                """.formatted(marker, given)),
                        Limits.DEFAULT,
                        List.of(new ViewEntry(given, given, ViewEntry.Access.READ_ONLY))),
                null);
        assertThat(r.out()).doesNotContain("WROTE", "DELETED").contains("tmp ok");
        assertThat(Files.readString(given.resolve("doc.txt"))).isEqualTo("original");
        for (String d : List.of("/usr/bin", "/etc", "/usr/lib", "/opt", "/var", "/run", "/", "/tmp")) {
            assertThat(Path.of(d, marker)).doesNotExist();
        }
        TestCells.deleteTree(given);
    }

    /**
     * The user a cell acts as on its view is the caller: root, when root runs Isola without sudo, reads its own files
     * in its 0700 home. A caller who cannot reach a file (here ISOLA_CELL_UID, as for a sudo user) is refused before
     * the cell starts, with the real cause and never the advice to make the file world-readable.
     */
    @Test
    void aViewTheCellsUserCannotReadIsRefusedWithAClearMessage() throws IOException {
        Path dir = Files.createTempDirectory("isola-private");
        Path secret = dir.resolve("owner-only.txt");
        Files.writeString(secret, "root's eyes only");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        var readIt = TestCells.spec(
                List.of("/bin/cat", secret.toString()),
                Limits.DEFAULT,
                List.of(new ViewEntry(secret, secret, ViewEntry.Access.READ_ONLY)));
        var writeIn = TestCells.spec(
                List.of("/bin/true"),
                Limits.DEFAULT,
                List.of(new ViewEntry(dir, Path.of("/home/user/out"), ViewEntry.Access.READ_WRITE)));
        try (TestCells stranger = new TestCells(java.util.Map.of("ISOLA_CELL_UID", "2000000000"))) {
            assertThat(cells.run(readIt, null).out())
                    .as("root's own file, root's cell")
                    .isEqualTo("root's eyes only");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> stranger.run(readIt, null))
                    .isInstanceOf(io.isola.core.IsolaException.class)
                    .hasMessageNotContaining("others")
                    .hasMessageNotContaining("Exception")
                    .hasMessageContaining(secret + " is in " + dir + " (mode 0700, owner uid 0), which the user the "
                            + "cell acts as (uid 2000000000) cannot enter: run isola as its owner");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> stranger.run(writeIn, null))
                    .hasMessageContaining("cannot write " + dir + " (mode 0700, owner uid 0)");
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> stranger.run(readIt, null))
                    .hasMessageContaining("the user the cell acts as (uid 2000000000) cannot read " + secret
                            + " (mode 0600, owner uid 0)")
                    .hasMessageNotContaining("others");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> stranger.run(writeIn, null))
                    .hasMessageContaining("cannot write " + dir + " (mode 0755, owner uid 0)")
                    .hasMessageContaining("a folder that user can write");
        } finally {
            TestCells.deleteTree(dir);
        }
    }

    @Test
    void copyOnWriteLayerDoesNotReachTheImage() {
        // Even where the cell may write, the write lands in its private layer, never on the host.
        TestCells.Result r = cells.sh("echo mine > /tmp/cow && cat /tmp/cow && echo x > $HOME/f && ls $HOME");
        assertThat(r.out()).isEqualTo("mine\nf\n");
        assertThat(cells.sh("ls /tmp; ls $HOME").out()).isEmpty();
    }

    @Test
    void cannotSeeOrSignalHostProcesses() {
        long self = ProcessHandle.current().pid();
        TestCells.Result r = cells.sh("""
                ls /proc | grep -c '^[0-9]'
                kill -9 %1$d 2>/dev/null && echo "KILLED host"
                kill -0 1 && echo "own init visible"
                cat /proc/%1$d/cmdline 2>/dev/null && echo "SAW host"
                """.formatted(self));
        assertThat(r.out()).doesNotContain("KILLED", "SAW").contains("own init visible");
        int visible = Integer.parseInt(r.out().lines().findFirst().orElseThrow().trim());
        assertThat(visible).isLessThan(6);
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void cannotReachAnyNetworkIncludingHostLoopback() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            TestCells.Result r = cells.sh("""
                    cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '
                    echo routes $(tail -n +2 /proc/net/route | wc -l)
                    bash -c 'echo hi > /dev/tcp/127.0.0.1/%d' 2>/dev/null && echo "CONNECTED host loopback"
                    true
                    """.formatted(port));
            assertThat(r.out()).doesNotContain("CONNECTED");
            assertThat(r.out().lines().filter(l -> !l.startsWith("routes")).toList())
                    .containsExactly("lo");
            assertThat(r.out()).contains("routes 0");
        }
    }

    @Test
    void cannotReachHostIpcSocketsDbusOrDisplay() throws IOException {
        Path sock = Path.of("/tmp", "isola-attack-" + System.nanoTime() + ".sock");
        Path shm = Path.of("/dev/shm", "isola-attack-" + System.nanoTime());
        Files.writeString(shm, "host shared memory");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            TestCells.Result r = cells.sh("""
                    ls %s 2>/dev/null && echo "SAW socket"
                    for p in /run/dbus/system_bus_socket /run/user /tmp/.X11-unix /var/run/docker.sock %s; do
                      ls -d "$p" >/dev/null 2>&1 && echo "SAW $p"
                    done
                    env | grep -E 'DBUS|DISPLAY|WAYLAND|XDG_RUNTIME|SSH_AUTH' && echo "ENV leak"
                    ipcs -m 2>/dev/null | grep -c '^0x' || true
                    true
                    """.formatted(sock, shm));
            assertThat(r.out()).doesNotContain("SAW", "ENV leak");
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(shm);
        }
    }

    @Test
    void hostSocketsCannotBeHandedInThroughTheView() throws IOException {
        Path dir = TestCells.sharedDir("isola-sockdir");
        Path sock = dir.resolve("sub/agent.sock");
        Files.createDirectories(sock.getParent());
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            for (Path shown : List.of(dir, sock)) {
                var spec = TestCells.spec(
                        List.of("/bin/true"),
                        Limits.DEFAULT,
                        List.of(new ViewEntry(shown, shown, ViewEntry.Access.READ_ONLY)));
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> cells.run(spec, null))
                        .isInstanceOf(io.isola.core.IsolaException.class)
                        .hasMessageContaining("socket into host IPC");
            }
        } finally {
            TestCells.deleteTree(dir);
        }
    }

    @Test
    void onlyIsolaItselfCanShowACellAFolderItHoldsOpen() {
        // A window's screen folder is a tmpfs Isola holds by a descriptor; a caller who names that descriptor's path
        // (isola run --ro /proc/self/fd/N) gets the /proc refusal, not the exemption Isola's own entry has.
        int fd = io.isola.linux.DetachedTmpfs.create(1 << 20, 8, 0777);
        try {
            Path own = Path.of(io.isola.linux.DetachedTmpfs.path(fd));
            var spec = TestCells.spec(
                    List.of("/bin/true"),
                    Limits.DEFAULT,
                    List.of(new ViewEntry(own, own, ViewEntry.Access.READ_WRITE)));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> cells.run(spec, null))
                    .isInstanceOf(io.isola.core.IsolaException.class)
                    .hasMessageContaining("host kernel's own interface");
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> new ViewEntry(Path.of("/etc"), Path.of("/etc"), ViewEntry.Access.READ_WRITE, true))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            io.isola.linux.Libc.close(fd);
        }
    }

    @Test
    void theHostsProcAndSysCannotBeHandedIn() {
        for (Path p : List.of(Path.of("/proc/1"), Path.of("/sys/fs/cgroup"), Path.of("/proc"))) {
            var spec = TestCells.spec(
                    List.of("/bin/true"), Limits.DEFAULT, List.of(new ViewEntry(p, p, ViewEntry.Access.READ_ONLY)));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> cells.run(spec, null))
                    .isInstanceOf(io.isola.core.IsolaException.class)
                    .hasMessageContaining("host kernel's own interface");
        }
    }

    @Test
    void cannotMountLoadModulesOrCreateUserNamespaces() {
        TestCells.Result r = cells.sh("""
                mount -t tmpfs none /tmp 2>/dev/null && echo "MOUNTED"
                unshare --user true 2>/dev/null && echo "USERNS"
                unshare --user --map-root-user true 2>/dev/null && echo "USERNS root"
                unshare --mount true 2>/dev/null && echo "MOUNTNS"
                grep -E '^(CapEff|CapPrm|NoNewPrivs|Seccomp):' /proc/self/status
                """);
        assertThat(r.out())
                .doesNotContain("MOUNTED", "USERNS", "MOUNTNS")
                .contains("CapEff:\t0000000000000000", "CapPrm:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2");
    }

    @Test
    void deniedSystemCallsFailWithEperm() {
        // x86-64 numbers; perl (Essential in Debian) can make raw system calls.
        String calls = "mount:165 umount2:166 pivot_root:155 ptrace:101 kexec_load:246 init_module:175 "
                + "finit_module:313 delete_module:176 bpf:321 perf_event_open:298 userfaultfd:323 keyctl:250 "
                + "add_key:248 open_by_handle_at:304 setns:308 io_uring_setup:425 reboot:169 swapon:167";
        TestCells.Result r = cells.sh("""
                for c in %s; do
                  n=${c#*:}; perl -e '$r = syscall(%s, 0, 0, 0, 0, 0); print "%s $r ", ($!+0), "\\n"' "$n"
                done
                """.formatted(calls, "$ARGV[0]", "$ARGV[0]"));
        assertThat(r.out().lines().toList())
                .hasSize(calls.split(" ").length)
                .allSatisfy(line -> assertThat(line).endsWith(" -1 1"));
    }

    @Test
    void cannotInjectKeystrokesIntoTheCallersTerminal() {
        // TIOCSTI pushes bytes into a terminal's input queue. The filter answers EPERM before the kernel looks at
        // the descriptor; without it a non-terminal answers ENOTTY (25), so the result tells them apart.
        TestCells.Result r = cells.sh("""
                perl -e 'my $c = "x"; ioctl(STDOUT, 0x5412, $c) or print(($!+0), "\\n")'
                perl -e 'my $c = "x"; ioctl(STDOUT, 0x541C, $c) or print(($!+0), "\\n")'
                """);
        assertThat(r.out()).isEqualTo("1\n1\n");
    }

    @Test
    void cannotEscapeThroughProcOrSys() {
        TestCells.Result r = cells.sh("""
                echo b > /proc/sysrq-trigger 2>/dev/null && echo "WROTE sysrq"
                echo evil > /proc/sys/kernel/hostname 2>/dev/null && echo "WROTE hostname"
                echo 1 > /proc/sys/vm/drop_caches 2>/dev/null && echo "WROTE sysctl"
                head -c1 /proc/kcore >/dev/null 2>&1 && echo "READ kcore"
                ls /sys/fs/cgroup >/dev/null 2>&1 && echo "SAW sys"
                readlink /proc/1/root
                ls /proc/1/root/ | tr '\\n' ' '
                cat /proc/1/environ 2>/dev/null | tr '\\0' '\\n' | grep -q SECRET && echo "LEAK"
                hostname
                """);
        assertThat(r.out()).doesNotContain("WROTE", "READ", "SAW", "LEAK").contains("cell");
        assertThat(r.out()).doesNotContain("root ").doesNotContain("srv");
    }

    @Test
    void nothingSurvivesTheClose() throws Exception {
        String marker = "isola-survivor-" + System.nanoTime();
        // Two escape attempts: a new session, and nohup in the background. The task then exits.
        TestCells.Result r = cells.sh("""
                (setsid bash -c 'exec -a %1$s sleep 600' &) ; nohup bash -c 'exec -a %1$s sleep 600' >/dev/null 2>&1 &
                sleep 0.3
                for p in /proc/[0-9]*; do tr '\\0' '\\n' < $p/cmdline 2>/dev/null | head -n 1; done | grep -c '^%1$s$'
                """.formatted(marker));
        assertThat(r.out().trim())
                .as("survivors running inside the cell before it closed")
                .isEqualTo("2");
        CellLifecycleTest.waitUntil(() -> Leftovers.processesWith(marker + " 600") == 0);
    }

    private static String[] hostUserNames() {
        try {
            return Files.readAllLines(Path.of("/etc/passwd")).stream()
                    .map(l -> l.split(":")[0] + ":")
                    .filter(n -> !List.of("root:", "nobody:").contains(n))
                    .toArray(String[]::new);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
