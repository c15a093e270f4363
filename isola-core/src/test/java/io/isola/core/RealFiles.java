package io.isola.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Real files for the trust tests: directories that hold user xattrs, directories outside the places the policy
 * refuses to trust (/tmp is one), and real mounts of file systems without xattrs.
 */
public final class RealFiles {
    private RealFiles() {}

    /** {@code candidate} when its file system keeps user xattrs, else a fresh directory under target/. */
    public static Path xattrCapable(Path candidate) throws IOException {
        if (supportsUserXattrs(candidate)) {
            return candidate;
        }
        Path d = underTarget("xattr");
        assertThat(supportsUserXattrs(d))
                .as("neither %s nor %s keeps user xattrs", candidate, d)
                .isTrue();
        return d;
    }

    public static boolean supportsUserXattrs(Path dir) throws IOException {
        Path probe = Files.createTempFile(dir, "probe", "");
        try {
            UserDefinedFileAttributeView v = Files.getFileAttributeView(probe, UserDefinedFileAttributeView.class);
            if (v == null) {
                return false;
            }
            v.write("isola.probe", ByteBuffer.wrap("1".getBytes(StandardCharsets.UTF_8)));
            return v.list().contains("isola.probe");
        } catch (FileSystemException e) {
            return false;
        } finally {
            Files.delete(probe);
        }
    }

    /**
     * A fresh directory under the module's target/, real path. Tests that need a trusted directory use it: the
     * policy refuses to trust anything under /tmp, where anyone can drop files.
     */
    public static Path underTarget(String prefix) throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        return Files.createTempDirectory(target, prefix + "-").toRealPath();
    }

    public static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A real mount of {@code type} on {@code dir}; skips the test (saying why) when not root. */
    public static Mount mount(String type, Path dir) throws IOException, InterruptedException {
        if (!isRoot()) {
            String why = "mounting " + type + " needs root; skipped";
            System.out.println(why);
            Assumptions.assumeTrue(false, why);
        }
        Files.createDirectories(dir);
        run("mount", "-t", type, "none", dir.toString());
        return new Mount(dir);
    }

    /** Unmounts on close. */
    public record Mount(Path dir) implements AutoCloseable {
        @Override
        public void close() throws IOException, InterruptedException {
            run("umount", dir.toString());
        }
    }

    private static void run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS))
                .as("%s finished", String.join(" ", argv))
                .isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", argv), out).isZero();
    }

    /** Sets a user xattr ({@code name} without the {@code user.} prefix) as a browser or curl would. */
    public static void setXattr(Path file, String name, String value) throws IOException {
        Files.getFileAttributeView(file, UserDefinedFileAttributeView.class)
                .write(name, ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
    }

    public static String getXattr(Path file, String name) throws IOException {
        UserDefinedFileAttributeView v =
                Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (!v.list().contains(name)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(v.size(name));
        v.read(name, b);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }
}
