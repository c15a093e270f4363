package io.isola.service;

import io.isola.core.Host;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The person a request is for, as the kernel named them on the socket (SO_PEERCRED): never what the request says.
 *
 * @param groups supplementary groups from /etc/group, the primary first
 */
record User(int uid, int gid, int pid, String name, Path home, int[] groups) {
    static User of(int uid, int gid, int pid) {
        String name = "uid" + Integer.toUnsignedString(uid);
        Path home = Path.of("/nonexistent");
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", -1);
                if (f.length >= 6 && f[2].equals(Integer.toUnsignedString(uid))) {
                    name = f[0];
                    home = Path.of(f[5]);
                    break;
                }
            }
        } catch (IOException e) {
            // a user without an entry keeps the numeric name
        }
        return new User(uid, gid, pid, name, home, Host.groupsOf(name, gid));
    }

    boolean root() {
        return uid == 0;
    }

    /**
     * The environment the tasks read the caller from: the same words sudo leaves, so that tasks open inputs and
     * create outputs with this user's rights (CallerFiles) and cells act as this user on their view.
     */
    Map<String, String> callerEnv() {
        Map<String, String> env = new HashMap<>();
        if (!root()) {
            env.put("SUDO_USER", name);
            env.put("SUDO_UID", Integer.toUnsignedString(uid));
            env.put("SUDO_GID", Integer.toUnsignedString(gid));
        }
        env.put("HOME", home.toString());
        return env;
    }
}
