package io.isola.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** libseccomp through FFM: syscall names and the exported BPF program. */
class SeccompTest {
    private static final int SOCK_FILTER_SIZE = 8;
    private static final int EPERM = 1;
    private static final long CLONE_NEWUSER = 0x10000000L, CLONE_NEWNS = 0x00020000L;

    @TempDir
    Path dir;

    @Test
    void libseccompIsAvailable() {
        assertThat(Seccomp.available()).isTrue();
    }

    @Test
    void resolvesKnownSyscallsToTheirNumbersAndUnknownOnesToMinusOne() {
        assertThat(Seccomp.resolve("mount")).isPositive();
        assertThat(Seccomp.resolve("no_such_call")).isEqualTo(-1);
        assertThat(Seccomp.resolve("mount")).isNotEqualTo(Seccomp.resolve("umount2"));
    }

    @Test
    void errnoActionCarriesTheErrnoInItsLowBits() {
        assertThat(Seccomp.errno(EPERM)).isEqualTo(0x00050001);
        assertThat(Seccomp.errno(38)).isEqualTo(0x00050026);
    }

    @Test
    void anExportedProgramIsAWholeNumberOfSockFilters() throws IOException {
        long size = programSize(f -> f.deny("mount", Seccomp.errno(EPERM)));
        assertThat(size).isPositive();
        assertThat(size % SOCK_FILTER_SIZE).isZero();
    }

    @Test
    void theProgramGrowsWithEveryRule() throws IOException {
        long none = programSize(f -> {});
        long one = programSize(f -> assertThat(f.deny("mount", Seccomp.errno(EPERM))).isTrue());
        long three = programSize(f -> {
            assertThat(f.deny("mount", Seccomp.errno(EPERM))).isTrue();
            assertThat(f.deny("umount2", Seccomp.errno(EPERM))).isTrue();
            assertThat(f.deny("pivot_root", Seccomp.errno(EPERM))).isTrue();
        });
        long withFlags = programSize(f -> {
            assertThat(f.deny("mount", Seccomp.errno(EPERM))).isTrue();
            assertThat(f.deny("umount2", Seccomp.errno(EPERM))).isTrue();
            assertThat(f.deny("pivot_root", Seccomp.errno(EPERM))).isTrue();
            assertThat(f.denyWhenFlagSet("unshare", Seccomp.errno(EPERM), 0, CLONE_NEWUSER | CLONE_NEWNS)).isTrue();
            assertThat(f.denyWhenEquals("personality", Seccomp.errno(EPERM), 0, 0x0040000)).isTrue();
        });
        assertThat(none % SOCK_FILTER_SIZE).isZero();
        assertThat(one).isGreaterThan(none);
        assertThat(three).isGreaterThan(one);
        assertThat(withFlags).isGreaterThan(three);
        assertThat(withFlags % SOCK_FILTER_SIZE).isZero();
    }

    @Test
    void aRuleForAnUnknownSyscallIsSkippedAndChangesNothing() throws IOException {
        long without = programSize(f -> f.deny("mount", Seccomp.errno(EPERM)));
        long with = programSize(f -> {
            f.deny("mount", Seccomp.errno(EPERM));
            assertThat(f.deny("no_such_call", Seccomp.errno(EPERM))).isFalse();
        });
        assertThat(with).isEqualTo(without);
    }

    @Test
    void aRuleThatLibseccompRefusesThrowsWithItsErrno() {
        try (Seccomp f = Seccomp.allowByDefault()) {
            // A rule whose action is the default action is refused by libseccomp (EACCES).
            assertThatThrownBy(() -> f.deny("mount", Seccomp.ACT_ALLOW))
                    .isInstanceOf(LinuxException.class)
                    .hasMessageStartingWith("seccomp_rule_add mount");
        }
    }

    @Test
    void exportingToADescriptorThatIsNotOpenFails() {
        try (Seccomp f = Seccomp.allowByDefault()) {
            assertThatThrownBy(() -> f.exportBpf(Integer.MAX_VALUE)).isInstanceOf(LinuxException.class)
                    .hasMessageStartingWith("seccomp_export_bpf");
        }
    }

    private long programSize(Consumer<Seccomp> rules) throws IOException {
        Path file = Files.createTempFile(dir, "filter", ".bpf");
        try (Seccomp f = Seccomp.allowByDefault()) {
            rules.accept(f);
            int fd = Libc.openWrite(file.toString(), false);
            try {
                f.exportBpf(fd);
            } finally {
                Libc.close(fd);
            }
        }
        return Files.size(file);
    }
}
