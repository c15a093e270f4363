package io.isola.guard;

import io.isola.core.audit.AuditLog;
import io.isola.core.policy.Policy;
import io.isola.core.policy.PolicyFile;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.trust.Seal;
import io.isola.linux.Libc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private tmpfs mounted for one test, so that the guard watches nothing else on the machine, and a state
 * directory outside it. {@link #close} stops every guard it started and unmounts, whatever happened.
 */
final class GuardedPlace implements AutoCloseable {
    final Path root;
    final Path place;
    final Path state;
    /** An allowed program ({@code [guard] allow}): a copy of {@code cp} under a path of its own, as a backup tool. */
    final Path backup;

    private final List<AutoCloseable> guards = new ArrayList<>();

    GuardedPlace(Path tmp) throws IOException {
        this.root = tmp;
        this.place = tmp.resolve("place");
        this.state = tmp.resolve("state");
        Files.createDirectories(place);
        Files.createDirectories(state);
        this.backup = Files.copy(
                Path.of("/usr/bin/cp"),
                Files.createDirectories(tmp.resolve("bin")).resolve("backup"));
        Libc.chmod(backup.toString(), 0755);
        Libc.chmod(tmp.toString(), 0755); // other uids (a cell's, nobody) must reach the place to be judged at all
        Libc.mount("tmpfs", place.toString(), "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV, "size=256m,mode=0755");
    }

    /**
     * The policy the tests guard by: one untrusted place, one trusted origin, Downloads as a mark place, and the
     * backup program allowed.
     */
    String policy() {
        return """
                version = 1
                [[rule]]
                name = "intranet"
                trust = "trusted"
                origins = ["intranet.example.com"]
                [[rule]]
                name = "inbox"
                trust = "untrusted"
                directories = ["%s/inbox"]
                [guard]
                paths = ["%s"]
                mark = ["%s/Downloads"]
                allow = ["%s"]
                """.formatted(place, place, place, backup);
    }

    /** A guard in this JVM: the test's own opens are the guard's own, so only child processes are judged. */
    Guard start() throws IOException {
        Policy p = PolicyFile.parse(policy(), "test policy", root);
        Guard g = Guard.start(
                p.guard(),
                new TrustClassifier(p, Seal.open(state.resolve("seal.key"))),
                state,
                AuditLog.open(state.resolve("audit.jsonl")));
        guards.add(g);
        return g;
    }

    /** A guard in a child JVM (as {@code isola guard} runs), to be killed by a test. */
    Process startChild() throws IOException, InterruptedException {
        Path policyFile = root.resolve("policy.toml");
        Files.writeString(policyFile, policy());
        Process child = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElseThrow(),
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        GuardChild.class.getName(),
                        policyFile.toString(),
                        state.toString(),
                        root.toString())
                .redirectErrorStream(true)
                .start();
        guards.add(() -> {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        });
        String ready = new String(child.getInputStream().readNBytes(6), StandardCharsets.UTF_8);
        if (!ready.equals("ready\n")) {
            throw new IllegalStateException("the guard child did not start: " + ready
                    + new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return child;
    }

    Path file(String name, String content, String... marks) throws IOException {
        Path f = place.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        for (int i = 0; i + 1 < marks.length; i += 2) {
            mark(f, marks[i], marks[i + 1]);
        }
        return f;
    }

    static void mark(Path f, String name, String value) throws IOException {
        Files.getFileAttributeView(f, UserDefinedFileAttributeView.class)
                .write(name, ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
    }

    static void unmark(Path f, String name) throws IOException {
        Files.getFileAttributeView(f, UserDefinedFileAttributeView.class).delete(name);
    }

    /** The state file's text once it holds {@code what} (reports are written off the decision path, a bit later). */
    String eventually(String stateFile, String what) throws IOException, InterruptedException {
        Path f = state.resolve(stateFile);
        long until = System.nanoTime() + 5_000_000_000L;
        String text = "";
        while (System.nanoTime() < until) {
            text = Files.exists(f) ? Files.readString(f) : "";
            if (text.contains(what)) {
                break;
            }
            Thread.sleep(20);
        }
        return text;
    }

    /** Runs a host program; its exit code and what it printed. */
    static Result run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("hung: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), out);
    }

    record Result(int code, String out) {
        boolean denied() {
            return code != 0 && out.contains("Operation not permitted");
        }
    }

    @Override
    public void close() throws Exception {
        try {
            for (AutoCloseable g : guards) {
                g.close();
            }
        } finally {
            Libc.umount2(place.toString(), Libc.MNT_DETACH);
        }
    }
}
