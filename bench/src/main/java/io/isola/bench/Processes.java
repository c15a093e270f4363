package io.isola.bench;

import io.isola.linux.Libc;
import io.isola.linux.Spawn;
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
        if (Libc.exitCode(status) != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " exited with " + Libc.exitCode(status));
        }
        return t;
    }
}
