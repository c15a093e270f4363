package io.isola.sandbox;

import io.isola.core.IsolaException;
import java.util.BitSet;

/**
 * The host uids of cells, one per cell. The kernel counts many limits per host uid (inotify instances and watches,
 * pipe pages, RLIMIT_NPROC, mqueue bytes, user namespaces…), so cells that shared one would share those counts, and
 * one cell could use them up for all the others or, through sudo, for the caller's own session.
 *
 * <p>Each Isola process owns a block of {@value #SLOTS} uids chosen by its pid, so that cells of concurrent Isola
 * processes never meet either: uid = {@value #FIRST} + pid × {@value #SLOTS} + slot. With Linux's largest pid
 * (2^22) the block ends below 2^32 − 1, and the whole range lies above the default caller uid 2000000000 and above
 * the ids any distribution hands out. Nothing is written anywhere: a slot is free again once its cell is gone.
 * Uids above 2^31 are negative as a Java int; print them with {@link Integer#toUnsignedString(int)}.
 */
final class CellUids {
    /** A cell's uid and gid inside its own user namespace, whatever it is on the host. */
    static final int INSIDE = 1000;

    static final long FIRST = 2_100_000_000L;
    static final int SLOTS = 512;

    private static CellUids process;

    private final long base;
    private final BitSet used = new BitSet(SLOTS);

    CellUids(long pid) {
        this.base = FIRST + pid * SLOTS;
        if (pid <= 0 || base + SLOTS > 0xFFFF_FFFFL) {
            throw new IsolaException("no cell uids for pid " + pid + ": Linux pids are below 2^22");
        }
    }

    /**
     * The one block of this process, shared by all its engines: the service runs an engine per user, and two blocks
     * chosen by the same pid would hand out the same uids.
     */
    static synchronized CellUids ofThisProcess() {
        if (process == null) {
            process = new CellUids(ProcessHandle.current().pid());
        }
        return process;
    }

    /** A host uid that no other cell, of this Isola or another, has now. */
    synchronized Lease take() {
        int slot = used.nextClearBit(0);
        if (slot >= SLOTS) {
            throw new IsolaException("more than " + SLOTS + " cells at once in one Isola process: close some first");
        }
        used.set(slot);
        return new Lease(slot, (int) (base + slot));
    }

    private synchronized void give(int slot) {
        used.clear(slot);
    }

    /** One cell's host uid (also its gid) until {@link #close}, which may be called more than once. */
    final class Lease implements AutoCloseable {
        private final int slot;
        private final int uid;
        private boolean closed;

        private Lease(int slot, int uid) {
            this.slot = slot;
            this.uid = uid;
        }

        int uid() {
            return uid;
        }

        @Override
        public void close() {
            synchronized (CellUids.this) {
                if (!closed) {
                    closed = true;
                    give(slot);
                }
            }
        }
    }
}
