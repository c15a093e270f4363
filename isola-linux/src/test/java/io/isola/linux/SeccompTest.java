package io.isola.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
        long one = programSize(
                f -> assertThat(f.deny("mount", Seccomp.errno(EPERM))).isTrue());
        long three = programSize(f -> {
            assertThat(f.deny("mount", Seccomp.errno(EPERM))).isTrue();
            assertThat(f.deny("umount2", Seccomp.errno(EPERM))).isTrue();
            assertThat(f.deny("pivot_root", Seccomp.errno(EPERM))).isTrue();
        });
        long withFlags = programSize(f -> {
            assertThat(f.deny("mount", Seccomp.errno(EPERM))).isTrue();
            assertThat(f.deny("umount2", Seccomp.errno(EPERM))).isTrue();
            assertThat(f.deny("pivot_root", Seccomp.errno(EPERM))).isTrue();
            assertThat(f.denyWhenFlagSet("unshare", Seccomp.errno(EPERM), 0, CLONE_NEWUSER | CLONE_NEWNS))
                    .isTrue();
            assertThat(f.denyWhenEquals("personality", Seccomp.errno(EPERM), 0, 0x0040000))
                    .isTrue();
        });
        assertThat(none % SOCK_FILTER_SIZE).isZero();
        assertThat(one).isGreaterThan(none);
        assertThat(three).isGreaterThan(one);
        assertThat(withFlags).isGreaterThan(three);
        assertThat(withFlags % SOCK_FILTER_SIZE).isZero();
    }

    @Test
    void aGreaterThanRuleComparesAll64BitsOfTheArgument() throws IOException {
        // libseccomp compares a 64-bit argument in two 32-bit halves: "greater than 16" must test the upper half
        // (any bit set there is greater) and then the lower half against 16.
        byte[] program = program(f -> assertThat(f.denyWhenGreater("socket", Seccomp.errno(EPERM), 0, 16))
                .isTrue());
        assertThat(hasJump(program, BPF_JGT, 0)).as("upper half compared").isTrue();
        assertThat(hasJump(program, BPF_JGT, 16)).as("lower half compared").isTrue();
        assertThat(hasJump(program(f -> {}), BPF_JGT, 16)).isFalse();
    }

    @Test
    void aRuleCanCompareSeveralArgumentsAtOnce() throws IOException {
        long one = programSize(f -> f.denyWhen("socket", Seccomp.errno(EPERM), Seccomp.Cmp.equals(0, 16)));
        long two = programSize(f -> assertThat(f.denyWhen(
                        "socket", Seccomp.errno(EPERM), Seccomp.Cmp.equals(0, 16), Seccomp.Cmp.notEquals(2, 0)))
                .isTrue());
        long masked = programSize(f -> assertThat(f.denyWhen(
                        "socket", Seccomp.errno(EPERM), Seccomp.Cmp.equals(0, 2), Seccomp.Cmp.maskedEquals(1, 0xf, 10)))
                .isTrue());
        assertThat(two).isGreaterThan(one);
        assertThat(masked).isGreaterThan(one);
        assertThat(hasJump(
                        program(f -> f.denyWhen(
                                "socket",
                                Seccomp.errno(EPERM),
                                Seccomp.Cmp.equals(0, 16),
                                Seccomp.Cmp.notEquals(2, 0))),
                        BPF_JEQ,
                        16))
                .isTrue();
    }

    @Test
    void aComparisonOfAnArgumentTheCallCannotHaveIsRefused() {
        try (Seccomp f = Seccomp.allowByDefault()) {
            assertThatThrownBy(() -> f.denyWhen("socket", Seccomp.errno(EPERM), Seccomp.Cmp.equals(6, 1)))
                    .isInstanceOf(LinuxException.class)
                    .hasMessageStartingWith("seccomp_rule_add socket");
        }
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
            assertThatThrownBy(() -> f.exportBpf(Integer.MAX_VALUE))
                    .isInstanceOf(LinuxException.class)
                    .hasMessageStartingWith("seccomp_export_bpf");
        }
    }

    private static final int BPF_JEQ = 0x15, BPF_JGT = 0x25;

    /** Whether the program has a "jump if (accumulator OP k)" instruction: struct sock_filter {u16 code; u8, u8; u32 k}. */
    private static boolean hasJump(byte[] program, int code, int k) {
        ByteBuffer b = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        for (int i = 0; i < program.length; i += SOCK_FILTER_SIZE) {
            if ((b.getShort(i) & 0xffff) == code && b.getInt(i + 4) == k) {
                return true;
            }
        }
        return false;
    }

    private long programSize(Consumer<Seccomp> rules) throws IOException {
        return program(rules).length;
    }

    private byte[] program(Consumer<Seccomp> rules) throws IOException {
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
        return Files.readAllBytes(file);
    }
}
