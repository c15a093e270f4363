package io.isola.sandbox;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** Test classes that share one real sandbox engine for all their tests. */
@Tag("kernel")
abstract class WithEngine {
    static TestCells cells;

    @BeforeAll
    static void startEngine() {
        cells = new TestCells();
    }

    @AfterAll
    static void closeEngine() {
        cells.close();
    }
}
