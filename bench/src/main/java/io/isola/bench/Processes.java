package io.isola.bench;

import io.isola.linux.Libc;
import io.isola.linux.Spawn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Starts a command the way a shell would (fork/exec with posix_spawn) and times it to its exit. */
final class Processes {
    private static int devNull = -1;

    private Processes() {}

    static synchronized int devNull() {
        if (devNull < 0) {
            devNull = Libc.openWrite("/dev/null", true);
        }
        return devNull;
    }

    /** Nanoseconds from spawn to exit; fails when the command does not exit 0. */
    static long time(List<String> argv, Map<String, String> env) {
        Spawn s = Spawn.of(argv).fd(0, devNull()).fd(1, devNull()).fd(2, devNull());
        env.forEach(s::env);
        long t0 = System.nanoTime();
        int status = Libc.waitpid(s.start(), 0);
        long t = System.nanoTime() - t0;
        requireSuccess(argv, status);
        return t;
    }

    /**
     * Runs {@code argv} to its exit with its standard output into {@code out} (made anew) and returns the wall clock
     * of its spawn in nanoseconds since the epoch, to subtract from a time the command printed (a handler running
     * {@code /bin/date +%s%N}); fails when the command does not exit 0.
     */
    static long spawnedAt(List<String> argv, Map<String, String> env, Path out) throws IOException {
        Files.deleteIfExists(out);
        int fd = Libc.openWrite(out.toString(), false);
        Spawn s = Spawn.of(argv).fd(0, devNull()).fd(1, fd).fd(2, devNull());
        env.forEach(s::env);
        Instant t0 = Instant.now();
        int pid;
        try {
            pid = s.start();
        } finally {
            Libc.close(fd);
        }
        requireSuccess(argv, Libc.waitpid(pid, 0));
        return t0.getEpochSecond() * 1_000_000_000L + t0.getNano();
    }

    private static void requireSuccess(List<String> argv, int status) {
        if (Libc.exitCode(status) != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " exited with " + Libc.exitCode(status));
        }
    }
}
