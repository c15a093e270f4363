package io.isola.vm;

import io.isola.core.FileTrees;
import io.isola.linux.Libc;
import io.isola.linux.cgroup.Cgroup;
import io.isola.linux.cgroup.CgroupTree;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Cleans up after an Isola that was killed: every run directory whose owner process is gone loses its QEMU (only if
 * that pid still is the same VM, checked by its -name), its cgroup and the directory itself.
 */
final class VmJanitor {
    private VmJanitor() {}

    /** This process, as a run directory records its owner: pid and start time, so a reused pid is not mistaken. */
    static String me() {
        return owner(ProcessHandle.current());
    }

    private static String owner(ProcessHandle p) {
        return p.pid() + " " + p.info().startInstant().map(Object::toString).orElse("?");
    }

    /**
     * The cgroup of VM {@code id} whose run directory is in {@code runDir}. The cgroup tree is shared by every state
     * folder on the host (a user's, the service's, each test's), so the name carries the run directory's tag: a
     * janitor must only ever judge the VMs of its own run directory.
     */
    static String cgroupName(Path runDir, String id) {
        return cgroupPrefix(runDir) + id;
    }

    private static String cgroupPrefix(Path runDir) {
        int h = runDir.toAbsolutePath().normalize().toString().hashCode();
        return "vm-" + String.format("%08x", h) + "-";
    }

    /** Returns how many stale VMs it removed. */
    static int sweep(Path runDir, CgroupTree cgroups) {
        int removed = 0;
        if (!Files.isDirectory(runDir)) {
            return 0;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(runDir)) {
            for (Path dir : ds) {
                if (ownerAlive(dir)) {
                    continue;
                }
                String id = dir.getFileName().toString();
                killQemu(dir, id);
                for (Cgroup cg : cgroups.children()) {
                    if (cg.name().equals(cgroupName(runDir, id))) {
                        cg.killAll();
                        cg.remove();
                    }
                }
                FileTrees.delete(dir);
                removed++;
            }
        } catch (IOException e) {
            // best effort: the next start tries again
        }
        for (Cgroup cg : cgroups.children()) {
            // a cgroup of ours without a run directory: someone removed the folder (a test's state, a user's rm -r)
            String prefix = cgroupPrefix(runDir);
            if (cg.name().startsWith(prefix)
                    && !Files.exists(runDir.resolve(cg.name().substring(prefix.length())))) {
                cg.killAll();
                cg.remove();
            }
        }
        return removed;
    }

    private static boolean ownerAlive(Path dir) {
        try {
            if (!Files.exists(dir.resolve("owner")) && young(dir)) {
                return true; // another Isola made it a moment ago and is writing its owner now
            }
            String[] f = Files.readString(dir.resolve("owner")).trim().split(" ");
            Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(f[0]));
            return p.isPresent() && owner(p.get()).equals(f[0] + " " + f[1]);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean young(Path dir) throws IOException {
        long age = System.currentTimeMillis() - Files.getLastModifiedTime(dir).toMillis();
        return age < 60_000;
    }

    private static void killQemu(Path dir, String id) {
        try {
            int pid = Integer.parseInt(Files.readString(dir.resolve("pid")).trim());
            String cmdline =
                    Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            if (cmdline.contains("isola-" + id)) {
                Libc.kill(pid, Libc.SIGKILL);
            }
        } catch (IOException | RuntimeException e) {
            // no pid file or no such process: nothing to kill
        }
    }
}
