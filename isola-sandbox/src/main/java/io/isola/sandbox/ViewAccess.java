package io.isola.sandbox;

import io.isola.core.IsolaException;
import io.isola.core.ViewEntry;
import io.isola.linux.Libc;
import io.isola.linux.ThreadCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks, before a cell starts, that the user the cell acts as on its view (the caller) may use each --ro/--rw path
 * as asked, every folder on the way included, and otherwise says why in one line: bwrap or the task would only say
 * "Permission denied". The user has no supplementary groups and no capabilities, as the cell: root as the caller
 * reads root's own files but not another user's 0600 one. The folders on the way count although an idmapped view
 * would not need them: the caller, under sudo, gets no more through a cell than on their own.
 */
final class ViewAccess {
    private ViewAccess() {}

    static void check(List<ViewEntry> view, int uid, int gid) {
        for (ViewEntry v : view) {
            Path p = v.hostPath();
            // A folder Isola itself holds open for the cell (a window's screen folder): not the caller's, reachable
            // by no one but this process, so nothing of the caller's to check.
            if (v.isolaOwn()) {
                continue;
            }
            boolean write = v.access() == ViewEntry.Access.READ_WRITE;
            int mode = Libc.R_OK | (Files.isDirectory(p) ? Libc.X_OK : 0) | (write ? Libc.W_OK : 0);
            if (!may(uid, gid, p, mode)) {
                throw new IsolaException(why(p, write, uid, gid), 2);
            }
        }
    }

    /** The first folder on the way that the user cannot enter, else the path itself. */
    private static String why(Path p, boolean write, int uid, int gid) {
        String who = "the user the cell acts as (uid " + Integer.toUnsignedString(uid) + ")";
        String advice = ": run isola as its owner (through sudo, or as root for root's files), or give a copy in a "
                + "folder that user can " + (write ? "write" : "read");
        for (Path dir = p.getRoot(); dir != null && !dir.equals(p); dir = next(dir, p)) {
            if (!may(uid, gid, dir, Libc.X_OK)) {
                return p + " is in " + dir + " (" + facts(dir) + "), which " + who + " cannot enter" + advice;
            }
        }
        return who + " cannot " + (write ? "write " : "read ") + p + " (" + facts(p) + ")" + advice;
    }

    private static Path next(Path dir, Path p) {
        return dir.resolve(p.getName(dir.getNameCount()));
    }

    private static boolean may(int uid, int gid, Path p, int mode) {
        try {
            return ThreadCredentials.mayAccess(uid, gid, p.toString(), mode);
        } catch (Exception e) {
            throw new IsolaException("cannot check whether the cell may use " + p + ": " + e.getMessage(), e);
        }
    }

    private static String facts(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return "mode 0" + Integer.toOctalString(mode & 07777) + ", owner uid " + Integer.toUnsignedString(owner);
        } catch (IOException | RuntimeException e) {
            return "mode unknown";
        }
    }
}
