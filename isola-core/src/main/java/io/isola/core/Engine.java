package io.isola.core;

/** How cells are made. Engines know nothing of policy; they only honour a {@link CellSpec}. */
public interface Engine extends AutoCloseable {
    String name();

    /** Creates and starts a cell. The returned cell is running the task. */
    Cell start(CellSpec spec, Stdio stdio);

    /** Closes every cell this engine still has open. */
    @Override
    void close();
}
