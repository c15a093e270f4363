package io.isola.core.output;

import io.isola.core.trust.TrustLevel;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Where the files of one task come from, which becomes their taint when they leave the cell.
 *
 * @param trust the task's trust level: the least trusted of its sources
 * @param origin the task's origin: the URL it came from (a link, or its input's origin mark) or the input's path
 * @param originUrl the freedesktop origin URL to carry on, or null
 * @param referrer the freedesktop referrer URL to carry on, or null
 * @param input the original input file on the host, or null for a link
 */
public record Provenance(
        String taskId,
        String cellId,
        TrustLevel trust,
        String origin,
        String originUrl,
        String referrer,
        Path input,
        Instant time) {}
