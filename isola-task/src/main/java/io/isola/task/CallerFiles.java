package io.isola.task;

import io.isola.core.Host;
import io.isola.core.IsolaException;
import io.isola.core.output.FileCreator;
import io.isola.linux.ThreadCredentials;
import java.io.IOException;
import java.util.Map;

/**
 * Files made for the person who asked for a task, with their rights. Under sudo Isola is root, but what it writes
 * beside the user's originals must be what the user could write: otherwise {@code isola open --view /etc/x} would
 * create files in /etc.
 */
public final class CallerFiles {
    private CallerFiles() {}

    public static FileCreator creator(Map<String, String> env) {
        String user = env.get("SUDO_USER");
        int[] ids = Host.invokingIds(env);
        if (user == null || ids[0] == 0) {
            return FileCreator.ISOLA;
        }
        int[] groups = Host.groupsOf(user, ids[1]);
        return target -> {
            try {
                return ThreadCredentials.asUser(ids[0], ids[1], groups, () -> FileCreator.ISOLA.createNew(target));
            } catch (java.nio.file.AccessDeniedException e) {
                throw new IsolaException(user + " may not create files in " + target.getParent() + ", so Isola "
                        + "will not either: copy the file somewhere you can write, and open it there", 2);
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        };
    }
}
