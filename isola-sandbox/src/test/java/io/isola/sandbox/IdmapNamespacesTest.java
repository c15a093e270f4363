package io.isola.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdmapNamespacesTest {
    @Test
    void swapsTheCallerWithTheCellAndKeepsEveryOtherIdUpToTwoToTheThirtyTwoMinusTwo() {
        int cell = (int) 3_000_000_000L;
        assertThat(IdmapNamespaces.swap(1000, cell)).isEqualTo("""
                0 0 1000
                1000 3000000000 1
                1001 1001 2999998999
                3000000000 1000 1
                3000000001 3000000001 1294967294
                """);
        assertThat(IdmapNamespaces.swap(cell, 1000)).isEqualTo(IdmapNamespaces.swap(1000, cell));
        assertThat(IdmapNamespaces.swap(5, 5)).isEqualTo("0 0 4294967295\n");
    }
}
