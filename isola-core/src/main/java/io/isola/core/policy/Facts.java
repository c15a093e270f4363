package io.isola.core.policy;

import java.net.URI;
import java.nio.file.Path;

/**
 * What a rule can be matched against: where a file really is (symlinks resolved), its type as detected from its
 * content, and the origin it came from or the link being opened. Any may be null.
 */
public record Facts(Path realPath, String type, URI origin) {}
