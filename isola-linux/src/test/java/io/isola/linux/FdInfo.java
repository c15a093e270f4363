package io.isola.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: what the kernel says about one of our descriptors. */
final class FdInfo {
    private FdInfo() {}

    /** The open flags of {@code fd} (O_CLOEXEC included), from /proc/self/fdinfo. */
    static int flags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new IllegalStateException("no flags line for fd " + fd);
    }

    /** The file {@code fd} refers to. */
    static Path target(int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd));
    }
}
