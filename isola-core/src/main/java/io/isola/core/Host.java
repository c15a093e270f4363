package io.isola.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about this process, read from /proc without a native call (linking to C is slow on a cold JVM). */
public final class Host {
    private Host() {}

    /** Whether the effective uid is 0 ("Uid:" lists real, effective, saved and fs uids). */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
