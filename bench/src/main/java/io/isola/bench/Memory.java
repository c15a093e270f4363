package io.isola.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Private memory of processes, from /proc/PID/smaps_rollup: pages no other process shares. */
final class Memory {
    private Memory() {}

    /** Private_Clean + Private_Dirty of one process, in bytes. */
    static long privateBytes(long pid) {
        long kb = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Private_Clean:") || line.startsWith("Private_Dirty:")) {
                    kb += Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return kb * 1024;
    }

    /** Resident set of this JVM, in bytes. */
    static long selfRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    /** Direct children of a process. */
    static List<Long> children(long pid) {
        List<Long> out = new ArrayList<>();
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children"));
            for (String c : s.trim().split("\\s+")) {
                if (!c.isEmpty()) {
                    out.add(Long.parseLong(c));
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }
}
