package io.isola.cli;

import io.isola.core.StatePaths;
import io.isola.vm.VmImages;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * isola doctor's facts about this installation rather than the machine: the VM image, the policy in force, where
 * state lives and how much of the disk it and the audit log take. A policy that does not load is a problem.
 *
 * @param imageHash the built image's content hash, null when none is built
 * @param policy the policy file in force, null for the built-in one
 * @param policyError why that policy does not load, null when it does
 * @param stateBytes what the state folder takes, null when it does not exist yet
 * @param auditBytes the audit log's size, null when there is none yet
 */
record StateDoctor(
        String imageHash,
        Path imageDir,
        Path policy,
        String policyError,
        Path state,
        Long stateBytes,
        Path auditLog,
        Long auditBytes) {
    static StateDoctor of(StatePaths paths, Map<String, String> env) {
        Path policy = Policies.locate(null);
        String error = null;
        try {
            Policies.load(null);
        } catch (RuntimeException e) { // a policy that does not load stops every open: a problem to fix
            error = e.getMessage();
        }
        Path root = paths.root(), audit = paths.auditLog();
        return new StateDoctor(
                VmImages.builtHash(paths, env),
                VmImages.imageDir(paths, env),
                policy,
                error,
                root,
                Files.isDirectory(root) ? usage(root) : null,
                audit,
                Files.isRegularFile(audit) ? size(audit) : null);
    }

    List<DoctorLine> lines() {
        List<DoctorLine> lines = new ArrayList<>();
        lines.add(
                imageHash != null
                        ? DoctorLine.check(
                                "vm image",
                                true,
                                "built, sha256:" + imageHash.substring(0, Math.min(12, imageHash.length())) + "… in "
                                        + imageDir,
                                "")
                        : DoctorLine.warn("vm image", "not built (only --engine vm needs it)", "isola image build"));
        lines.add(
                policyError == null
                        ? DoctorLine.info(
                                "policy",
                                policy != null
                                        ? policy.toString()
                                        : "the built-in one (trusts nothing; write ~/.config/isola/policy.toml or set ISOLA_POLICY)")
                        : DoctorLine.check(
                                "policy", false, policy + ": " + policyError, "isola policy check lists every error"));
        lines.add(DoctorLine.info(
                "state",
                state + (stateBytes != null ? " (" + QuarantinePrinter.size(stateBytes) + ")" : " (not created yet)")));
        lines.add(DoctorLine.info(
                "audit log",
                auditLog
                        + (auditBytes != null
                                ? " (" + QuarantinePrinter.size(auditBytes) + ")"
                                : " (empty: no cell yet)")));
        return lines;
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
                    return device.equals(Files.getAttribute(dir, "unix:dev"))
                            ? FileVisitResult.CONTINUE
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
