package io.isola.cli;

import io.isola.core.CellEnvironment;
import io.isola.core.EngineNames;
import io.isola.core.policy.LevelSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Whether a handler's program is in what its level's cells see, so that {@code isola policy check} finds a
 * handler that would fail with "command not found" before a user opens a file with it. The sandbox engine's
 * {@code host} image is the host's /usr, /bin, /sbin, /lib* and /opt; the vm engine's image is a squashfs of the
 * host's /usr. A directory image is not looked into (the answer is null: not checked).
 */
final class HandlerPrograms {
    private static final List<String> HOST_IMAGE_DIRS = List.of("/usr/", "/bin/", "/sbin/", "/lib", "/opt/");
    private static final List<String> VM_IMAGE_DIRS = List.of("/usr/");

    private HandlerPrograms() {}

    /** Whether this level's programs can be checked here: the host image, or the vm engine's copy of /usr. */
    static boolean checkable(LevelSettings level) {
        return level.engine().equals(EngineNames.VM) || level.image().equals("host");
    }

    /**
     * What is wrong with running {@code argv}'s program in a cell of {@code level}, as the end of a sentence
     * ("runs X, which ..."), or null when it is there (or cannot be checked).
     */
    static String problem(LevelSettings level, List<String> argv) {
        if (!checkable(level)) {
            return null;
        }
        boolean vm = level.engine().equals(EngineNames.VM);
        List<String> imageDirs = vm ? VM_IMAGE_DIRS : HOST_IMAGE_DIRS;
        String where = vm ? "the vm image (a copy of the host's /usr)" : "the host image";
        String fix = vm ? "install it on the host and run isola image build again" : "install it on the host";
        String program = argv.get(0);
        if (program.startsWith("/")) {
            if (imageDirs.stream().noneMatch(program::startsWith)) {
                return "runs " + program + ", which is outside " + where + ": cells see only "
                        + String.join(
                                ", ",
                                imageDirs.stream()
                                        .map(d -> d.endsWith("/") ? d : d + "*")
                                        .toList())
                        + " of the host; name a program there";
            }
            return executable(Path.of(program))
                    ? null
                    : "runs " + program + ", which is not an executable file on " + "the host: " + fix
                            + ", or name another program";
        }
        if (program.contains("/")) {
            return "runs " + program + ", a relative path: give a program name found on the cell's PATH, or an "
                    + "absolute path";
        }
        for (String dir : cellPath(imageDirs)) {
            if (executable(Path.of(dir, program))) {
                return null;
            }
        }
        return "runs " + program + ", which is not in " + where + " (not on the cell's PATH, "
                + String.join(":", cellPath(imageDirs)) + "): " + fix + ", or name another program";
    }

    /** The directories of a cell's PATH that the image holds. */
    private static List<String> cellPath(List<String> imageDirs) {
        String path = CellEnvironment.build(Map.of(), List.of()).get("PATH");
        return Arrays.stream(path.split(":"))
                .filter(d -> imageDirs.stream().anyMatch((d + "/")::startsWith))
                .toList();
    }

    private static boolean executable(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }
}
