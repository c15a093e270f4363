package io.isola.guard;

import io.isola.core.policy.Policy;
import io.isola.core.policy.TrustClassifier;
import io.isola.linux.FileFacts;
import io.isola.linux.Libc;
import java.nio.file.Path;

/** What the guard would do with a file, for {@code isola trust explain}: the same judgement, through a descriptor. */
public final class GuardExplain {
    private GuardExplain() {}

    /**
     * One line: whether host programs would be refused the file, and why; or that no guard place holds it (those of
     * the policy's {@code [guard] paths} and of a guard running with this state directory).
     */
    public static String explain(Policy policy, TrustClassifier classifier, Path realFile, Path stateDir) {
        java.util.List<Path> watched = new java.util.ArrayList<>(policy.guard().paths());
        try {
            GuardStatus running = GuardStatus.read(stateDir);
            if (running != null && running.running()) {
                running.watching().forEach(w -> watched.add(Path.of(w)));
            }
        } catch (java.io.IOException | RuntimeException unreadable) {
            // judged by the policy's places alone
        }
        if (watched.stream().noneMatch(realFile::startsWith)) {
            return "not in a place the guard watches ([guard] paths): host programs open it freely";
        }
        int fd;
        try {
            fd = Libc.openReadOnly(realFile.toString());
        } catch (io.isola.linux.LinuxException e) {
            return "cannot tell: " + e.getMessage();
        }
        try {
            FileFacts.Stat st = FileFacts.stat(fd);
            Judge.Judgement j = new Judge(classifier, new TaintRecord(Guard.recordFile(stateDir)))
                    .judge(fd, st, realFile.toString());
            return j.untrusted()
                    ? "would deny host programs (cells and Isola open it): " + j.why() + "; open it with: isola open "
                            + realFile + " (or --view)"
                    : "host programs open it: no mark, record or rule of the policy speaks against it";
        } finally {
            Libc.close(fd);
        }
    }
}
