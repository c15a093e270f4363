package io.isola.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

/** No two packages lean on each other: each package is a step in the one-way flow, not half of a knot. */
class PackageCyclesTest {
    @Test
    void noPackageCycles() {
        slices().matching("io.isola.(**)").should().beFreeOfCycles().check(Isola.CLASSES);
    }
}
