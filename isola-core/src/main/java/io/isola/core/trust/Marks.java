package io.isola.core.trust;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A file's taint: Linux's Mark-of-the-Web. Browsers, curl and wget write the freedesktop attributes
 * {@code user.xdg.origin.url} and {@code user.xdg.referrer.url}; Isola adds its own {@code user.isola.*}. The JDK's
 * user-defined attribute view is exactly the user xattr namespace, so no native binding is needed.
 *
 * @param values attribute name (without the {@code user.} prefix) to value, in a stable order
 */
public record Marks(Map<String, String> values) {
    public static final String XDG_ORIGIN = "xdg.origin.url";
    public static final String XDG_REFERRER = "xdg.referrer.url";
    public static final String TRUST = "isola.trust";
    public static final String ORIGIN = "isola.origin";
    public static final String CELL = "isola.cell";
    public static final String SHA256 = "isola.sha256";
    public static final String TIME = "isola.time";
    public static final String SEAL = "isola.seal";
    /** What kind of result a sealed file is ({@link Seal.Kind}); covered by the seal. */
    public static final String KIND = "isola.kind";
    /** Every mark that names where a file came from, in the order they are shown; trust judges each of them. */
    public static final List<String> ORIGIN_MARKS = List.of(ORIGIN, XDG_ORIGIN, XDG_REFERRER);
    /** Linux's XATTR_SIZE_MAX: every value a file system can hold is read, so no origin is skipped for its size. */
    private static final int MAX_VALUE = 65536;

    public static final Marks NONE = new Marks(Map.of());

    public Marks {
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public String get(String name) {
        return values.get(name);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /**
     * The one origin Isola records on what a task makes from this file: its own record first, else what the browser
     * or downloader wrote. Only for recording: trust judges every mark of {@link #origins()}, since anyone who owns
     * the file can add an {@code isola.origin} naming a trusted site next to the browser's untrusted one.
     */
    public String origin() {
        String o = values.get(ORIGIN);
        return o != null ? o : values.get(XDG_ORIGIN);
    }

    /** Every origin mark the file has, by mark name (without {@code user.}), in {@link #ORIGIN_MARKS}' order. */
    public Map<String, String> origins() {
        Map<String, String> o = new LinkedHashMap<>();
        for (String name : ORIGIN_MARKS) {
            if (values.containsKey(name)) {
                o.put(name, values.get(name));
            }
        }
        return o;
    }

    /** Isola's mark and the freedesktop ones that a file has; an empty set where the file system has none. */
    public static Marks read(Path file) throws IOException {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return NONE;
        }
        Map<String, String> found = new LinkedHashMap<>();
        try {
            for (String name : view.list()) {
                if (name.startsWith("isola.") || name.equals(XDG_ORIGIN) || name.equals(XDG_REFERRER)) {
                    int size = view.size(name);
                    if (size <= MAX_VALUE) {
                        ByteBuffer b = ByteBuffer.allocate(size);
                        view.read(name, b);
                        found.put(name, new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (java.nio.file.FileSystemException e) {
            if (isUnsupported(e)) {
                return NONE;
            }
            throw e;
        }
        return new Marks(found);
    }

    /**
     * Writes every mark to {@code file}. Throws {@link TaintNotWritableException} where the file system cannot hold
     * user attributes: a file that cannot carry its taint must not leave Isola's quarantine.
     */
    public void write(Path file) throws IOException {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            throw new TaintNotWritableException(file);
        }
        try {
            for (Map.Entry<String, String> e : values.entrySet()) {
                view.write(e.getKey(), ByteBuffer.wrap(e.getValue().getBytes(StandardCharsets.UTF_8)));
            }
        } catch (java.nio.file.FileSystemException e) {
            if (isUnsupported(e)) {
                throw new TaintNotWritableException(file);
            }
            throw e;
        }
    }

    private static boolean isUnsupported(java.nio.file.FileSystemException e) {
        String r = String.valueOf(e.getReason());
        return r.contains("not supported") || r.contains("Operation not permitted");
    }

    /** The file system under a path cannot store user attributes, so taint would be lost. */
    public static final class TaintNotWritableException extends IOException {
        public TaintNotWritableException(Path file) {
            super("the file system of " + file.getParent() + " cannot store taint marks (user xattrs)");
        }
    }
}
