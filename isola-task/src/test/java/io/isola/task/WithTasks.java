package io.isola.task;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Test classes that share one real sandbox engine, state directory and seal for all their tasks. */
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
