package io.isola.core.audit;

import io.isola.core.IsolaException;
import io.isola.core.Quantities;
import java.util.Map;

/**
 * When the audit log rotates: once the next line would take {@code audit.jsonl} past {@code maxBytes}, it becomes
 * {@code audit.jsonl.1} (the older ones shift to .2 … .keep, and the oldest beyond that is deleted). At most
 * {@code (keep + 1) × maxBytes} of audit is kept.
 */
public record AuditRotation(long maxBytes, int keep) {
    public static final AuditRotation DEFAULT = new AuditRotation(10L << 20, 5);

    public AuditRotation {
        if (maxBytes < 4096 || keep < 1) {
            throw new IllegalArgumentException("the audit log rotates at 4K or more and keeps at least one old file");
        }
    }

    /** {@code ISOLA_AUDIT_MAX_SIZE} (e.g. 10M) and {@code ISOLA_AUDIT_KEEP} (old files kept), else the defaults. */
    public static AuditRotation fromEnvironment(Map<String, String> env) {
        String size = env.get("ISOLA_AUDIT_MAX_SIZE"), keep = env.get("ISOLA_AUDIT_KEEP");
        long maxBytes = DEFAULT.maxBytes;
        int kept = DEFAULT.keep;
        try {
            if (size != null && !size.isBlank()) {
                maxBytes = Quantities.bytes(size);
                if (maxBytes < 4096) {
                    throw new IllegalArgumentException("'" + size + "' is too small: use at least 4K, e.g. 10M");
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IsolaException("ISOLA_AUDIT_MAX_SIZE " + e.getMessage(), 2);
        }
        try {
            if (keep != null && !keep.isBlank()) {
                kept = Quantities.count(keep);
            }
        } catch (IllegalArgumentException e) {
            throw new IsolaException("ISOLA_AUDIT_KEEP " + e.getMessage() + ": the number of old logs to keep", 2);
        }
        return new AuditRotation(maxBytes, kept);
    }
}
