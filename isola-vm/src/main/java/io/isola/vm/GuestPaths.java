package io.isola.vm;

import io.isola.guest.Wire;
import io.isola.guest.Wire.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Checks the paths a guest sends before anything on the host uses them. */
final class GuestPaths {
    private GuestPaths() {}

    /** A relative path below the walked directory: bounded, no NUL, no empty, "." or ".." components. */
    static String relative(String path) throws ProtocolException {
        if (path.isEmpty() || path.getBytes(StandardCharsets.UTF_8).length > Wire.MAX_PATH) {
            throw new ProtocolException("an empty or overlong path");
        }
        if (path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new ProtocolException("a path that is absolute or holds a NUL byte");
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new ProtocolException("a path that climbs out of its directory");
            }
            if (part.getBytes(StandardCharsets.UTF_8).length > 255) {
                throw new ProtocolException("a path component over 255 bytes");
            }
        }
        return path;
    }

    /** A changed input's cell path: it must lie below one of the input directories the host asked about. */
    static String absolute(String path, List<String> inputDirs) throws ProtocolException {
        for (String d : inputDirs) {
            if (path.startsWith(d + "/")) {
                relative(path.substring(d.length() + 1));
                return path;
            }
        }
        throw new ProtocolException("a changed input outside the task's input directories");
    }
}
