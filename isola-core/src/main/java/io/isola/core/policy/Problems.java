package io.isola.core.policy;

import java.util.ArrayList;
import java.util.List;
import org.tomlj.TomlTable;

/**
 * What is wrong with a policy file, gathered as it is read so that {@code isola policy check} can list every error
 * at once instead of one per run.
 */
public final class Problems {
    /** One error: {@code SOURCE:LINE: what is wrong and what to do}; line 0 when no line applies. */
    public record Problem(String source, int line, String message) {
        @Override
        public String toString() {
            return source + (line > 0 ? ":" + line : "") + ": " + message;
        }
    }

    private final String source;
    private final List<Problem> all = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    void add(int line, String message) {
        all.add(new Problem(source, line, message));
    }

    /** An error about {@code key} of {@code table}, at the key's line. */
    void add(TomlTable table, String key, String message) {
        var pos = table.inputPositionOf(List.of(key));
        add(pos == null ? 0 : pos.line(), message);
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    int size() {
        return all.size();
    }

    List<Problem> list() {
        return List.copyOf(all);
    }
}
