package io.isola.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LimitsTest {
    @Test
    void defaultsFitA2CoreMachine() {
        assertThat(Limits.DEFAULT.memoryBytes()).isEqualTo(512L << 20);
        assertThat(Limits.DEFAULT.maxPids()).isEqualTo(256);
        assertThat(Limits.DEFAULT.cpus()).isEqualTo(1.0);
        assertThat(Limits.DEFAULT.diskBytes()).isEqualTo(256L << 20);
        assertThat(Limits.DEFAULT.cpuTime()).isNull();
        assertThat(Limits.DEFAULT.timeout()).isNull();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void rejectsNonPositiveMemory(long bytes) {
        assertRejected(() -> Limits.DEFAULT.withMemory(bytes));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void rejectsNonPositivePids(int pids) {
        assertRejected(() -> Limits.DEFAULT.withPids(pids));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void rejectsNonPositiveDisk(long bytes) {
        assertRejected(() -> Limits.DEFAULT.withDisk(bytes));
    }

    @Test
    void rejectsNegativeCpusButAcceptsZeroAsNoCap() {
        assertThatThrownBy(() -> Limits.DEFAULT.withCpus(-0.5))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("--cpus must be 0");
        assertThatThrownBy(() -> Limits.DEFAULT.withCpus(0.005))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("at least 0.01");
        assertThat(Limits.DEFAULT.withCpus(0).cpus()).isZero();
        assertThat(Limits.DEFAULT.withCpus(0.01).cpus()).isEqualTo(0.01);
    }

    @Test
    void rejectsInvalidValuesGivenToTheConstructor() {
        assertRejected(() -> new Limits(0, 8, 1, null, null, 1 << 20));
        assertRejected(() -> new Limits(4 << 20, 0, 1, null, null, 1 << 20));
        assertRejected(() -> new Limits(4 << 20, 8, 1, null, null, 0));
    }

    @Test
    void refusesLimitsNoCellCanStartWithAndNamesTheFloor() {
        assertThatThrownBy(() -> Limits.DEFAULT.withDisk(1))
                .isInstanceOf(IsolaException.class)
                .hasMessageStartingWith("disk must be at least 1M");
        assertThatThrownBy(() -> Limits.DEFAULT.withMemory((4 << 20) - 1))
                .hasMessageStartingWith("memory must be at least 4M");
        assertThatThrownBy(() -> Limits.DEFAULT.withPids(7)).hasMessageStartingWith("pids must be at least 8");
        assertThatThrownBy(() -> Limits.requireDisk(1023 << 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("must be at least 1M");
        Limits floor = Limits.DEFAULT
                .withDisk(Limits.MIN_DISK_BYTES)
                .withMemory(Limits.MIN_MEMORY_BYTES)
                .withPids(Limits.MIN_PIDS);
        assertThat(floor.diskBytes()).isEqualTo(1 << 20);
        assertThat(floor.memoryBytes()).isEqualTo(4 << 20);
        assertThat(floor.maxPids()).isEqualTo(8);
    }

    @Test
    void withersChangeOnlyTheirOwnValue() {
        Limits l = Limits.DEFAULT
                .withMemory(64L << 20)
                .withPids(16)
                .withCpus(0.5)
                .withDisk(1L << 20)
                .withCpuTime(Duration.ofSeconds(3))
                .withTimeout(Duration.ofSeconds(9));
        assertThat(l).isEqualTo(new Limits(64L << 20, 16, 0.5, Duration.ofSeconds(3), Duration.ofSeconds(9), 1L << 20));
        assertThat(Limits.DEFAULT.memoryBytes()).isEqualTo(512L << 20);
    }

    private static void assertRejected(Runnable make) {
        assertThatThrownBy(make::run).isInstanceOf(IsolaException.class).hasMessageContaining("must be at least");
    }
}
