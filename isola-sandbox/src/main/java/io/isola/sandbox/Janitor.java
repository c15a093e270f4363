package io.isola.sandbox;

import io.isola.core.audit.AuditEvent;
import io.isola.core.audit.AuditLog;
import io.isola.linux.cgroup.Cgroup;
import io.isola.linux.cgroup.CgroupTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Cleans what an Isola that died without closing its cells left behind. Mounts and processes need no help (the
 * mount namespace dies with Isola, and --die-with-parent takes the cells down); cgroups are directories that the
 * kernel keeps, so each cell cgroup's name records its owner (pid and start time) and a later start removes those
 * whose owner is gone.
 */
final class Janitor {
    private Janitor() {}

    /** The cgroup name of a cell owned by this process. */
    static String cgroupName(String cellId) {
        return cellId + "-" + Owner.SELF;
    }

    static void sweep(CgroupTree tree, AuditLog audit) {
        for (Cgroup cg : tree.children()) {
            String[] parts = cg.name().split("-", 2);
            if (parts.length == 2 && !Owner.isAlive(parts[1])) {
                cg.killAll();
                cg.remove();
                audit.record(AuditEvent.of("cell.reaped", parts[0], "cgroup", cg.name(), "owner", parts[1]));
            }
        }
    }

    /** A process identity that survives pid reuse: "pid.starttime". */
    static final class Owner {
        static final String SELF = of(ProcessHandle.current().pid());

        static String of(long pid) {
            return pid + "." + startTime(pid);
        }

        static boolean isAlive(String owner) {
            int dot = owner.indexOf('.');
            if (dot < 0) {
                return false;
            }
            try {
                long pid = Long.parseLong(owner.substring(0, dot));
                return owner.equals(of(pid));
            } catch (NumberFormatException e) {
                return false;
            }
        }

        private static String startTime(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // Field 22; the command name (field 2) may hold spaces, so count after its closing parenthesis.
                return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19];
            } catch (IOException | RuntimeException e) {
                return "gone";
            }
        }
    }
}
