package io.isola.service;

import io.isola.core.Cell;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Every cell the daemon runs, and whose it is: a user sees and stops only their own (root sees all). */
final class CellTable {
    record Entry(Cell cell, User owner, String engine, List<String> command, Instant started) {}

    private final Map<String, Entry> cells = new ConcurrentHashMap<>();

    void add(Cell cell, User owner, String engine, List<String> command) {
        cells.put(cell.id(), new Entry(cell, owner, engine, List.copyOf(command), Instant.now()));
    }

    void remove(Cell cell) {
        cells.remove(cell.id());
    }

    List<Entry> visibleTo(User u) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : cells.values()) {
            if (u.root() || e.owner().uid() == u.uid()) {
                out.add(e);
            }
        }
        out.sort(java.util.Comparator.comparing(Entry::started));
        return out;
    }

    /** Kills {@code id} if {@code u} may; false when there is no such cell of theirs (the same answer either way). */
    boolean kill(User u, String id) {
        Entry e = cells.get(id);
        if (e == null || !(u.root() || e.owner().uid() == u.uid())) {
            return false;
        }
        e.cell().kill("isola kill by " + u.name());
        return true;
    }

    static String age(Entry e) {
        long s = Duration.between(e.started(), Instant.now()).toSeconds();
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" : s / 3600 + "h";
    }
}
