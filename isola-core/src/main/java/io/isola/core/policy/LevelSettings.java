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
 */
public record LevelSettings(
        String engine,
        String image,
        Persistence persistence,
        Limits limits,
        OutputQuota quota,
        Map<String, List<String>> handlers) {
    public LevelSettings {
        handlers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(handlers));
    }

    /** The handler for {@code type}: an exact entry first, then {@code family/*}, then {@code *}. */
    public List<String> handlerFor(String type) {
        List<String> h = specificHandlerFor(type);
        return h != null ? h : handlers.get("*");
    }

    /** The handler named for {@code type} itself or its family, never the catch-all {@code *}; or null. */
    public List<String> specificHandlerFor(String type) {
        if (handlers.containsKey(type)) {
            return handlers.get(type);
        }
        String family = type.contains("/") ? type.substring(0, type.indexOf('/')) + "/*" : null;
        return family != null ? handlers.get(family) : null;
    }
}
