package io.isola.core;

/** What network a cell may reach. Only loopback exists until the network issue adds trusted routes. */
public enum Network {
    /** A private network namespace with its own loopback interface and nothing else. */
    LOOPBACK_ONLY
}
