package io.isola.core;

import java.nio.file.Path;
import java.util.List;

/**
 * The files of a task, beside its image: host directories the cell sees copy-on-write (the task may change its
 * private copy, never the host's), and one empty directory whose contents may leave the cell when it closes.
 *
 * @param inputs host directories shown inside the cell; Isola passes snapshots it made, never the user's originals
 * @param outputDir the cell path of the output directory, or null when nothing may leave the cell
 */
public record TaskFiles(List<Input> inputs, String outputDir) {
    public static final TaskFiles NONE = new TaskFiles(List.of(), null);

    /** A host directory shown copy-on-write at {@code cellDir}. */
    public record Input(Path hostDir, String cellDir) {
        public Input {
            if (!hostDir.isAbsolute() || !cellDir.startsWith("/")) {
                throw new IsolaException("input paths must be absolute: " + hostDir + " -> " + cellDir);
            }
        }
    }

    public TaskFiles {
        inputs = List.copyOf(inputs);
        if (outputDir != null && !outputDir.startsWith("/")) {
            throw new IsolaException("the output directory must be an absolute cell path: " + outputDir);
        }
    }
}
