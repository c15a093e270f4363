package io.isola.core;

/** How cells are made. Engines know nothing of policy; they only honour a {@link CellSpec}. */
public interface Engine extends AutoCloseable {
    String name();

    /** Creates and starts a cell. The returned cell is running the task. */
    Cell start(CellSpec spec, Stdio stdio);

    /**
     * A running cell this engine's caller did not start here but takes over for a task (a viewer started before the
     * click, which the task then hands its file): whatever the caller keeps of the cells it starts (a request's Ctrl-C,
     * {@code isola ps}) takes it up as if it were started now, for {@code spec} (what the task runs in it).
     */
    default Cell adopt(Cell cell, CellSpec spec) {
        return cell;
    }

    /** Closes every cell this engine still has open. */
    @Override
    void close();
}
