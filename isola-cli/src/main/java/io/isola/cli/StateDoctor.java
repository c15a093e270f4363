package io.isola.cli;

import io.isola.core.StatePaths;
import io.isola.vm.VmImages;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;

/**
 * isola doctor's lines about this installation rather than the machine: the VM image, the policy in force, where
 * state lives and how much of the disk it and the audit log take. Returns how many problems it found.
 */
final class StateDoctor {
    private StateDoctor() {}

    static int report(StatePaths paths, Map<String, String> env, PrintStream out) {
        String hash = VmImages.builtHash(paths, env);
        out.println(hash != null
                ? "  ok    vm image: built, sha256:" + hash.substring(0, Math.min(12, hash.length())) + "… in "
                        + VmImages.imageDir(paths, env)
                : "  note  vm image: not built (only --engine vm needs it): isola image build");
        int problems = 0;
        Path policy = Policies.locate(null);
        try {
            Policies.load(null);
            out.println("  info  policy: " + (policy != null ? policy
                    : "the built-in one (trusts nothing; write ~/.config/isola/policy.toml or set ISOLA_POLICY)"));
        } catch (RuntimeException e) { // a policy that does not load stops every open: a problem to fix
            out.println("  FAIL  policy " + policy + ": " + e.getMessage());
            problems++;
        }
        Path root = paths.root();
        out.println("  info  state: " + root + (Files.isDirectory(root) ? " (" + QuarantinePrinter.size(usage(root))
                + ")" : " (not created yet)"));
        Path audit = paths.auditLog();
        out.println("  info  audit log: " + audit + (Files.isRegularFile(audit) ? " (" + QuarantinePrinter.size(
                size(audit)) + ")" : " (empty: no cell yet)"));
        return problems;
    }

    /** What {@code du -sx} counts: the bytes of every file under {@code root}, on its own file system only. */
    static long usage(Path root) {
        long[] total = {0};
        try {
            Object device = Files.getAttribute(root, "unix:dev");
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    // a mount point below (an engine's tmpfs, a mounted image) is not state on this disk
                    return device.equals(Files.getAttribute(dir, "unix:dev")) ? FileVisitResult.CONTINUE
                            : FileVisitResult.SKIP_SUBTREE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // vanished or unreadable: count what can be counted
                }
            });
        } catch (IOException e) {
            // as much as was counted
        }
        return total[0];
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
