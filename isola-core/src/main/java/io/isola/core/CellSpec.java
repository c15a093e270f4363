package io.isola.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything an engine needs to make one cell, and nothing about why: the policy decides, the engine obeys.
 *
 * @param engine the engine name ({@code sandbox}, {@code vm})
 * @param image the golden image name ({@code host} or a directory image)
 * @param command argv of the task, run inside the cell
 * @param env the complete environment of the task (see {@link CellEnvironment})
 * @param view the host paths the task may see
 * @param workdir the task's working directory inside the cell
 * @param network what the cell may reach
 * @param limits what the cell may consume
 * @param files the task's inputs and its output directory
 */
public record CellSpec(
        String engine,
        String image,
        List<String> command,
        Map<String, String> env,
        List<ViewEntry> view,
        Path workdir,
        Network network,
        Limits limits,
        TaskFiles files) {
    /** A spec for a plain command: no task inputs, nothing leaves the cell. */
    public CellSpec(
            String engine,
            String image,
            List<String> command,
            Map<String, String> env,
            List<ViewEntry> view,
            Path workdir,
            Network network,
            Limits limits) {
        this(engine, image, command, env, view, workdir, network, limits, TaskFiles.NONE);
    }

    public CellSpec {
        if (command == null || command.isEmpty()) {
            throw new IsolaException("no command given: put the command after --, e.g. isola run -- /bin/echo hi", 2);
        }
        command = List.copyOf(command);
        env = Map.copyOf(env);
        view = List.copyOf(view);
        files = files == null ? TaskFiles.NONE : files;
    }
}
