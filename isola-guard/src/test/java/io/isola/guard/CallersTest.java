package io.isola.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.linux.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Isola itself is known by root, the JDK and its entry point together; a user's JVM naming the same class is not. */
@Tag("kernel")
class CallersTest {
    private static final String JAVA = ProcessHandle.current().info().command().orElseThrow();

    @TempDir
    Path tmp;

    @Test
    void aJvmNamingIsolasEntryPointIsIsolaOnlyWhenRootRunsIt() throws Exception {
        Libc.chmod(tmp.toString(), 0755);
        Path sleeper = tmp.resolve("Sleep.java");
        Files.writeString(
                sleeper,
                "class Sleep { public static void main(String[] a) throws Exception { "
                        + "System.out.println(\"up\"); Thread.sleep(60000); } }");
        Libc.chmod(sleeper.toString(), 0644);
        Callers callers = new Callers(-1, Set.of(), JAVA, List.of("io.isola.cli.Main"), "/isola");

        Process asRoot = start(List.of());
        Process asUser = start(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        try {
            assertThat(callers.allowedBecause((int) asRoot.pid())).isEqualTo("Isola itself");
            assertThat(callers.allowedBecause((int) asUser.pid())).isNull();
        } finally {
            asRoot.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            asUser.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void allowedProgramsAndCellUidsAreKnownAndOthersAreNot() throws Exception {
        Callers callers = new Callers(-1, Set.of("/usr/bin/sleep"), JAVA, List.of("io.isola.cli.Main"), "/isola");
        Process sleep = new ProcessBuilder("sleep", "30").start();
        String cellUid = Long.toString(Callers.FIRST_CELL_UID + 7);
        Process cell = new ProcessBuilder(
                        "setpriv",
                        "--reuid=" + cellUid,
                        "--regid=" + cellUid,
                        "--clear-groups",
                        "tail",
                        "-f",
                        "/dev/null")
                .start();
        Process other = new ProcessBuilder("tail", "-f", "/dev/null").start();
        try {
            Thread.sleep(300); // setpriv has exec'd tail
            assertThat(callers.allowedBecause((int) sleep.pid())).isEqualTo("an allowed program (/usr/bin/sleep)");
            assertThat(callers.allowedBecause((int) cell.pid())).startsWith("a cell (uid ");
            assertThat(callers.allowedBecause((int) other.pid())).isNull();
        } finally {
            for (Process p : List.of(sleep, cell, other)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private Process start(List<String> prefix) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(JAVA, tmp.resolve("Sleep.java").toString(), "io.isola.cli.Main"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String up = new String(p.getInputStream().readNBytes(3));
        assertThat(up).as("the JVM started").isEqualTo("up\n");
        return p;
    }
}
