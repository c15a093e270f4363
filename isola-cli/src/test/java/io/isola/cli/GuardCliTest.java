package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.linux.Libc;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code isola guard} as a person runs it: in the foreground, read by status and trust explain, stopped by SIGTERM. */
@Tag("kernel")
class GuardCliTest {
    @TempDir
    Path tmp;

    @Test
    void guardDeniesHostProgramsWhileIsolaItselfStillReadsTheOriginal() throws Exception {
        Path place = Files.createDirectories(tmp.resolve("place"));
        Cli cli = new Cli(Files.createDirectories(tmp.resolve("state")));
        Libc.mount("tmpfs", place.toString(), "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV, "size=16m");
        Process guard = null;
        try {
            Path evil = place.resolve("evil.txt");
            Files.writeString(evil, "hostile text");
            Files.getFileAttributeView(evil, UserDefinedFileAttributeView.class).write("xdg.origin.url",
                    ByteBuffer.wrap("https://evil.example/".getBytes(StandardCharsets.UTF_8)));
            guard = cli.builder(Map.of(), "guard", "--path", place.toString()).redirectErrorStream(true).start();
            String first = new String(guard.getInputStream().readNBytes(16), StandardCharsets.UTF_8);
            assertThat(first).isEqualTo("isola: guarding ");

            Process cat = new ProcessBuilder("cat", evil.toString()).redirectErrorStream(true).start();
            assertThat(new String(cat.getInputStream().readAllBytes())).contains("Operation not permitted");
            Cli.Result explain = cli.run("trust", "explain", evil.toString()); // Isola itself reads it
            assertThat(explain.code()).as(explain.err()).isEqualTo(1);
            assertThat(explain.out()).contains("type: text/plain").contains("  guard: would deny host programs");
            Thread.sleep(1500); // the guard writes its status every second
            Cli.Result status = cli.run("guard", "status");
            assertThat(status.code()).as(status.out() + status.err()).isZero();
            assertThat(status.out()).contains("guard: running, pid " + guard.pid())
                    .contains("watching: " + place).contains("denied: 1");

            guard.destroy(); // SIGTERM
            assertThat(guard.waitFor(20, TimeUnit.SECONDS)).isTrue();
            Process after = new ProcessBuilder("cat", evil.toString()).start();
            assertThat(new String(after.getInputStream().readAllBytes())).isEqualTo("hostile text");
            assertThat(cli.run("guard", "status").out()).contains("not running");
        } finally {
            if (guard != null) {
                guard.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
            Libc.umount2(place.toString(), Libc.MNT_DETACH);
        }
    }

    @Test
    void aGuardWithNothingToWatchSaysWhatToAdd() {
        Cli.Result r = new Cli(tmp).run("guard");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("isola: nothing to guard: add [guard] paths").doesNotContain("\n");
    }
}
