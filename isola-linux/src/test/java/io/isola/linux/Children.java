package io.isola.linux;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Test helper: runs spawned children to the end, always reaping them, and reads pipes to their end. */
final class Children {
    private Children() {}

    record Result(int exitCode, String stdout) {}

    /** Starts {@code spawn} with a pipe as its stdout, reads everything it writes, and reaps it. */
    static Result run(Spawn spawn) {
        int[] out = Libc.pipe();
        int pid = -1;
        try {
            pid = spawn.fd(1, out[1]).start();
            Libc.close(out[1]);
            out[1] = -1;
            String stdout = readToEnd(out[0]);
            int status = Libc.waitpid(pid, 0);
            pid = -1;
            return new Result(Libc.exitCode(status), stdout);
        } finally {
            Libc.close(out[0]);
            Libc.close(out[1]);
            killAndReap(pid);
        }
    }

    static Result sh(String script) {
        return run(Spawn.of(List.of("/bin/sh", "-c", script)));
    }

    static String readToEnd(int fd) {
        return new String(readAllBytes(fd), StandardCharsets.UTF_8);
    }

    static byte[] readAllBytes(int fd) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] b = Libc.read(fd, 65536); b.length > 0; b = Libc.read(fd, 65536)) {
            all.writeBytes(b);
        }
        return all.toByteArray();
    }

    /** For cleanup paths: kills and reaps a child of ours that may still run; does nothing for pid <= 0. */
    static void killAndReap(int pid) {
        if (pid > 0) {
            Libc.kill(pid, Libc.SIGKILL);
            Libc.waitpid(pid, 0);
        }
    }
}
