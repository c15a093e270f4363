package io.isola.guard;

import io.isola.linux.FileFacts;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verdicts by inode, change time and size: a write, chmod or xattr change moves the change time, so a changed file is
 * judged again. The size counts too because the change time moves by the file system's clock tick (milliseconds on
 * tmpfs): a file created empty and filled within one tick keeps its change time, and its verdict as an empty file
 * would otherwise stand for its content. Bounded: when full it starts over (the kernel's ignore marks keep clean
 * files off the path anyway).
 */
final class VerdictCache {
    private record Entry(long changed, long size, Judge.Judgement judgement) {}

    private final int max;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    VerdictCache(int max) {
        this.max = max;
    }

    Judge.Judgement get(FileFacts.Stat s) {
        Entry e = entries.get(TaintRecord.key(s));
        return e != null && e.changed() == s.changed() && e.size() == s.size() ? e.judgement() : null;
    }

    void put(FileFacts.Stat s, Judge.Judgement j) {
        if (entries.size() >= max) {
            entries.clear();
        }
        entries.put(TaintRecord.key(s), new Entry(s.changed(), s.size(), j));
    }
}
