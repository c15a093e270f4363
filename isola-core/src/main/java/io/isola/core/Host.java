package io.isola.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about this process, read from /proc without a native call (linking to C is slow on a cold JVM). */
public final class Host {
    private Host() {}

    /**
     * The CPUs this process may use: the JVM's count already honours the CPU affinity (cpuset) and a cgroup's CPU
     * quota, so inside a container it is the container's share, not the machine's.
     */
    public static int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Whether the effective uid is 0 ("Uid:" lists real, effective, saved and fs uids). */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /**
     * The home of the person who asked for the task: under sudo the invoking user's (from /etc/passwd), else
     * $HOME. Policy paths written as {@code ~/…} mean this home.
     */
    public static Path invokingHome(java.util.Map<String, String> env) {
        String uid = env.get("SUDO_UID");
        if (uid != null) {
            try {
                for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                    String[] f = line.split(":", -1);
                    if (f.length >= 6 && f[2].equals(uid)) {
                        return Path.of(f[5]);
                    }
                }
            } catch (IOException e) {
                // fall back to $HOME
            }
        }
        return Path.of(env.getOrDefault("HOME", "/root"));
    }

    /** uid and gid of the person who asked for the task: under sudo the invoking user, else this process's. */
    public static int[] invokingIds(java.util.Map<String, String> env) {
        try {
            if (env.get("SUDO_UID") != null && env.get("SUDO_GID") != null) {
                return new int[] {Integer.parseInt(env.get("SUDO_UID")), Integer.parseInt(env.get("SUDO_GID"))};
            }
            java.util.Map<String, Object> a = Files.readAttributes(Path.of("/proc/self"), "unix:uid,gid");
            return new int[] {(Integer) a.get("uid"), (Integer) a.get("gid")};
        } catch (IOException | NumberFormatException e) {
            return new int[] {0, 0};
        }
    }

    /** The supplementary groups of user {@code name} in /etc/group, with {@code primary} first. */
    public static int[] groupsOf(String name, int primary) {
        java.util.LinkedHashSet<Integer> ids = new java.util.LinkedHashSet<>();
        ids.add(primary);
        try {
            for (String line : Files.readAllLines(Path.of("/etc/group"))) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && java.util.Arrays.asList(f[3].split(",")).contains(name)) {
                    ids.add(Integer.parseInt(f[2]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the primary group alone
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
