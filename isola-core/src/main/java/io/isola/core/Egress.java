package io.isola.core;

import java.io.IOException;
import java.nio.channels.ByteChannel;

/**
 * The host's enforcement point for what leaves a cell: engines deliver it each connection a task opens to its cell's
 * proxy address ({@link Network#PROXY_PORT}), with the id of the cell it came from, and nothing else. The egress
 * decides (by the cell's trust level, which engines never see) and relays, refuses or closes. It treats every byte
 * from the cell as hostile.
 */
public interface Egress {
    /**
     * Takes over one connection from cell {@code cellId}; returns at once. The egress owns the connection from here
     * and closes it.
     */
    void accept(String cellId, Connection connection);

    /** One connection from inside a cell, as its engine delivers it: a byte stream that can be half-closed. */
    interface Connection extends ByteChannel {
        /** Ends the direction toward the task (it reads end of stream) while it may still send. */
        void shutdownOutput() throws IOException;
    }
}
