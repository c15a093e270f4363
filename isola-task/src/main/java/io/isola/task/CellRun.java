package io.isola.task;

import io.isola.core.Cell;
import io.isola.core.CellExit;
import io.isola.core.CellSpec;
import io.isola.core.Engine;
import io.isola.core.Harvest;
import io.isola.core.OutputQuota;
import io.isola.core.Stdio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs one task's cell to its end and brings out what it left, before the cell and its memory are destroyed. */
record CellRun(String cellId, CellExit exit, Harvest harvest) {
    static CellRun run(Engine engine, CellSpec spec, Stdio stdio, Path staging, OutputQuota quota)
            throws InterruptedException, IOException {
        return run(engine, spec, stdio, staging, quota, () -> {});
    }

    /** The same, doing {@code whileRunning} on this thread once the cell has started (reading what it streams out). */
    static CellRun run(
            Engine engine, CellSpec spec, Stdio stdio, Path staging, OutputQuota quota, Runnable whileRunning)
            throws InterruptedException, IOException {
        Files.createDirectories(staging);
        try (Cell cell = engine.start(spec, stdio)) {
            io.isola.core.Trace.mark("task cell started");
            whileRunning.run();
            CellExit exit = cell.waitFor();
            io.isola.core.Trace.mark("task cell exited");
            Harvest harvest = cell.harvest(staging, quota);
            return new CellRun(cell.id(), exit, harvest);
        }
    }
}
