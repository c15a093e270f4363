package io.isola.core.audit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One thing that happened. The schema is documented in docs/audit.md and is stable: fields are only ever added.
 *
 * @param type e.g. {@code cell.created}
 * @param cell the cell id
 * @param fields further values: strings, numbers, booleans or lists of strings
 */
public record AuditEvent(String type, String cell, Map<String, Object> fields) {
    public static AuditEvent of(String type, String cell, Object... keyValues) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                f.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return new AuditEvent(type, cell, f);
    }
}
