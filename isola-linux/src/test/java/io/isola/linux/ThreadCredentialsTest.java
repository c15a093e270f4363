package io.isola.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kernel")
class ThreadCredentialsTest {
    private static final int UID = 2_000_000_123, GID = 2_000_000_321;

    @Test
    void onlyTheCallingThreadChangesAndItsChildrenRunUnprivileged() throws Exception {
        AtomicReference<String> child = new AtomicReference<>();
        AtomicReference<String> self = new AtomicReference<>();
        Path made = Files.createTempDirectory("isola-creds").resolve("made-by-thread");
        Thread t = Thread.ofPlatform().start(() -> {
            ThreadCredentials.becomeKeepingCapabilities(UID, GID);
            self.set(status(Path.of("/proc/thread-self/status")));
            try {
                Files.writeString(made, "x");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            int[] pipe = Libc.pipe();
            int pid = Spawn.of(List.of("/bin/sh", "-c", "id -u; id -g; id -G; grep CapEff /proc/self/status"))
                    .fd(1, pipe[1])
                    .start();
            Libc.close(pipe[1]);
            StringBuilder out = new StringBuilder();
            for (byte[] b; (b = Libc.read(pipe[0], 4096)).length > 0; ) {
                out.append(new String(b, StandardCharsets.UTF_8));
            }
            Libc.close(pipe[0]);
            Libc.waitpid(pid, 0);
            child.set(out.toString());
        });
        t.join();
        // The thread kept its capabilities (it still could mount, setns, write cgroup files) and root's
        // file-system ids, so what it creates is root's...
        assertThat(self.get())
                .contains("Uid:\t" + UID + "\t" + UID + "\t" + UID + "\t0\n")
                .doesNotContain("CapEff:\t0000000000000000");
        assertThat(Files.getAttribute(made, "unix:uid")).isEqualTo(0);
        Files.delete(made);
        Files.delete(made.getParent());
        // ...its child is the user, in no other group, with no capability at all...
        assertThat(child.get()).isEqualTo(UID + "\n" + GID + "\n" + GID + "\nCapEff:\t0000000000000000\n");
        // ...and the rest of the JVM is still root.
        assertThat(status(Path.of("/proc/thread-self/status"))).contains("Uid:\t0\t0\t0\t0");
        assertThat(status(Path.of("/proc/self/status"))).contains("Uid:\t0\t0\t0\t0");
    }

    /**
     * The sandbox's spawning thread switches to a user per cell, from uids above 2^31 (negative as a Java int), and
     * back: its children are that user, and it keeps its capabilities throughout and gets root's file-system ids back.
     */
    @Test
    void aThreadThatBecameOneUserCanSwitchToAnotherAboveTwoToTheThirtyFirstAndBack() throws Exception {
        long high = 3_000_000_007L;
        AtomicReference<String> child = new AtomicReference<>();
        AtomicReference<String> during = new AtomicReference<>();
        AtomicReference<String> self = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            ThreadCredentials.becomeKeepingCapabilities(UID, GID);
            ThreadCredentials.switchKeepingCapabilities((int) high, (int) high, false);
            during.set(status(Path.of("/proc/thread-self/status")));
            int[] pipe = Libc.pipe();
            int pid = Spawn.of(List.of("/bin/sh", "-c", "id -u; id -g"))
                    .fd(1, pipe[1])
                    .start();
            Libc.close(pipe[1]);
            StringBuilder out = new StringBuilder();
            for (byte[] b; (b = Libc.read(pipe[0], 4096)).length > 0; ) {
                out.append(new String(b, StandardCharsets.UTF_8));
            }
            Libc.close(pipe[0]);
            Libc.waitpid(pid, 0);
            child.set(out.toString());
            ThreadCredentials.switchKeepingCapabilities(UID, GID, true);
            self.set(status(Path.of("/proc/thread-self/status")));
        });
        t.join();
        assertThat(during.get())
                .contains("Uid:\t" + high + "\t" + high + "\t" + high + "\t" + high + "\n")
                .doesNotContain("CapEff:\t0000000000000000");
        assertThat(child.get()).isEqualTo(high + "\n" + high + "\n");
        assertThat(self.get())
                .contains("Uid:\t" + UID + "\t" + UID + "\t" + UID + "\t0\n")
                .contains("Gid:\t" + GID + "\t" + GID + "\t" + GID + "\t0\n")
                .doesNotContain("CapEff:\t0000000000000000");
    }

    private static String status(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void mayAccessAnswersForTheUserWithoutCapabilitiesRootIncluded() throws Exception {
        Path dir = Files.createTempDirectory("isola-access");
        Path roots = Files.writeString(dir.resolve("roots"), "x");
        Path others = Files.writeString(dir.resolve("others"), "x");
        Files.setPosixFilePermissions(roots, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(others, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Libc.chown(others.toString(), UID, GID);
        try {
            assertThat(ThreadCredentials.mayAccess(0, 0, roots.toString(), Libc.R_OK | Libc.W_OK))
                    .isTrue();
            assertThat(ThreadCredentials.mayAccess(0, 0, others.toString(), Libc.R_OK))
                    .as("root without CAP_DAC_OVERRIDE reads only what it owns or others may")
                    .isFalse();
            assertThat(ThreadCredentials.mayAccess(UID, GID, others.toString(), Libc.R_OK))
                    .as("the folder is 0700 root's")
                    .isFalse();
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            assertThat(ThreadCredentials.mayAccess(UID, GID, others.toString(), Libc.R_OK | Libc.W_OK))
                    .isTrue();
            assertThat(ThreadCredentials.mayAccess(UID, GID, dir.toString(), Libc.R_OK))
                    .isFalse();
        } finally {
            Files.delete(roots);
            Files.delete(others);
            Files.delete(dir);
        }
    }
}
