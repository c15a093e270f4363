package io.isola.core.policy;

import io.isola.core.Limits;
import io.isola.core.OutputQuota;
import java.util.List;
import java.util.Map;

/**
 * What a trust level gets: how its cells are made, what they may use, and what may leave them.
 *
 * @param handlers MIME type pattern ({@code application/pdf}, {@code text/*}, {@code *}) to the command that opens
 *     it; {@code {file}} stands for the input's path in the cell and {@code {output}} for the output directory
 * @param windowHandlers the same for {@code isola open --window}: the graphical program shown in a window
 */
public record LevelSettings(
        String engine,
        String image,
        Persistence persistence,
        Limits limits,
        OutputQuota quota,
        Map<String, List<String>> handlers,
        Map<String, List<String>> windowHandlers) {
    public LevelSettings {
        handlers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(handlers));
        windowHandlers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(windowHandlers));
    }

    /** The window handler for {@code type}, found as {@link #handlerFor} finds a handler; or null. */
    public List<String> windowHandlerFor(String type) {
        List<String> h = find(windowHandlers, type);
        return h != null || type.startsWith("x-scheme-handler/") ? h : windowHandlers.get("*");
    }

    /** The handler for {@code type}: an exact entry first, then {@code family/*}, then {@code *}. */
    public List<String> handlerFor(String type) {
        List<String> h = specificHandlerFor(type);
        return h != null ? h : handlers.get("*");
    }

    /** The handler named for {@code type} itself or its family, never the catch-all {@code *}; or null. */
    public List<String> specificHandlerFor(String type) {
        return find(handlers, type);
    }

    private static List<String> find(Map<String, List<String>> table, String type) {
        if (table.containsKey(type)) {
            return table.get(type);
        }
        String family = type.contains("/") ? type.substring(0, type.indexOf('/')) + "/*" : null;
        return family != null ? table.get(family) : null;
    }
}
