package io.isola.task;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** Test classes that share one real sandbox engine, state directory and seal for all their tasks. */
@Tag("kernel")
abstract class WithTasks {
    static TaskHarness h;

    @BeforeAll
    static void start() {
        h = new TaskHarness();
    }

    @AfterAll
    static void stop() {
        h.close();
    }
}
