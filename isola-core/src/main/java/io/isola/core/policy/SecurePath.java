package io.isola.core.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether only root and the user can put files into a directory, as OpenSSH's StrictModes judges a path: every
 * existing directory from / down to it is owned by root or the user and is not writable by others, except that a
 * sticky directory such as /tmp may lie above it (others cannot replace what the user made there). The directory
 * itself may never be writable by others, sticky or not; one that does not exist yet is judged by the nearest
 * existing directory above it, which anyone could otherwise create it in.
 */
final class SecurePath {
    private static final int OTHERS_WRITE = 0002, GROUP_WRITE = 0020, STICKY = 01000;

    private SecurePath() {}

    /** @param home the user's home: its owner is the user */
    static boolean isSecure(Path dir, Path home) {
        int user = owner(home);
        Path existing = dir;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return false;
        }
        for (Path p = existing; p != null; p = p.getParent()) {
            Map<String, Object> a;
            try {
                a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
            int mode = (Integer) a.get("mode"), uid = (Integer) a.get("uid"), gid = (Integer) a.get("gid");
            if (uid != 0 && uid != user) {
                return false;
            }
            boolean othersWrite = (mode & OTHERS_WRITE) != 0 || (mode & GROUP_WRITE) != 0 && gid != 0;
            boolean innermost = p.equals(existing);
            if (othersWrite && (innermost || (mode & STICKY) == 0)) {
                return false; // the directory (or the one a missing directory would be made in) is anyone's
            }
        }
        return true;
    }

    private static int owner(Path home) {
        try {
            return (Integer) Files.getAttribute(home, "unix:uid");
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
