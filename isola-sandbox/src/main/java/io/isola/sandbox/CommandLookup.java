package io.isola.sandbox;

import io.isola.core.CellSpec;
import io.isola.core.IsolaException;
import io.isola.core.ViewEntry;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Checks, before a cell is made, that its command exists in what the cell will see. Without this a typo costs a
 * whole cell and ends in bwrap's terse "execvp" error; with it the user gets exit code 127 and a clear line.
 */
final class CommandLookup {
    private CommandLookup() {}

    static void require(CellSpec spec, Image image) {
        String cmd = spec.command().get(0);
        if (cmd.contains("/")) {
            String cellPath = cmd.startsWith("/")
                    ? cmd
                    : (spec.workdir() == null ? "/home/user" : spec.workdir().toString()) + "/" + cmd;
            if (find(Path.of(cellPath).normalize().toString(), spec, image).isPresent()) {
                return;
            }
        } else {
            for (String dir : spec.env().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                if (!dir.isEmpty() && find(dir + "/" + cmd, spec, image).isPresent()) {
                    return;
                }
            }
        }
        throw new IsolaException(
                "command not found in the cell: " + cmd
                        + " (a cell sees only its image and the paths given with --ro or --rw)",
                IsolaException.NOT_RUNNABLE);
    }

    private static Optional<Path> find(String cellPath, CellSpec spec, Image image) {
        ViewEntry best = null;
        for (ViewEntry v : spec.view()) {
            String c = v.cellPath().toString();
            if ((cellPath.equals(c) || cellPath.startsWith(c + "/"))
                    && (best == null || c.length() > best.cellPath().toString().length())) {
                best = v;
            }
        }
        Optional<Path> host = best != null
                ? Optional.of(Path.of(best.hostPath()
                        + cellPath.substring(best.cellPath().toString().length())))
                : image.hostPath(cellPath);
        return host.filter(
                p -> Files.isRegularFile(p) || Files.isSymbolicLink(p) && Files.exists(p, LinkOption.NOFOLLOW_LINKS));
    }
}
