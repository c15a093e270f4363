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
                    if (cg.name().equals("vm-" + id)) {
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
            // a cgroup without a run directory: its Isola died between making the two
            if (cg.name().startsWith("vm-")
                    && !Files.exists(runDir.resolve(cg.name().substring(3)))) {
                cg.killAll();
                cg.remove();
            }
        }
        return removed;
    }

    private static boolean ownerAlive(Path dir) {
        try {
            String[] f = Files.readString(dir.resolve("owner")).trim().split(" ");
            Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(f[0]));
            return p.isPresent() && owner(p.get()).equals(f[0] + " " + f[1]);
        } catch (IOException | RuntimeException e) {
            return false;
        }
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
