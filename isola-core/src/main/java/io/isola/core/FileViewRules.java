package io.isola.core;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * What a file view may contain. Nothing of the host's /proc or /sys, and no UNIX socket: a socket is host IPC
 * whatever the network namespace says (connecting to a path socket needs only the path), so a view that shows one
 * is refused, as is a directory that holds one within {@value #DEPTH} levels. Deeper sockets and sockets created later are not seen: views of whole trees remain the
 * caller's responsibility, which is why they are explicit.
 */
public final class FileViewRules {
    static final int DEPTH = 4;
    static final int MAX_ENTRIES = 20_000;

    private FileViewRules() {}

    public static void check(List<ViewEntry> view) {
        for (ViewEntry v : view) {
            Path p = v.hostPath();
            if (v.isolaOwn()) {
                continue; // made by Isola for this cell, reached through its descriptor: nothing of the caller's
            }
            for (String kernel : new String[] {"/proc", "/sys"}) {
                if (p.startsWith(kernel) || v.cellPath().startsWith(kernel)) {
                    throw new IsolaException(
                            "refusing to show " + p + " to a cell: the host's " + kernel
                                    + " is the host kernel's own interface (a cell has its own /proc and no /sys)",
                            2);
                }
            }
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.exists(p)) {
                throw new IsolaException("no such file or directory: " + p + " (given with --ro/--rw)", 2);
            }
            socketIn(p).ifPresent(s -> {
                throw new IsolaException(
                        "refusing to show " + p + " to a cell: "
                                + (s.equals(p) ? "it is" : "it contains " + s + ", which is")
                                + " a socket into host IPC; give a directory without sockets",
                        2);
            });
        }
    }

    static Optional<Path> socketIn(Path root) {
        if (isSocket(root)) {
            return Optional.of(root);
        }
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        AtomicInteger seen = new AtomicInteger();
        try (Stream<Path> s =
                Files.walk(root, DEPTH, EnumSet.noneOf(FileVisitOption.class).toArray(FileVisitOption[]::new))) {
            return s.takeWhile(x -> seen.incrementAndGet() < MAX_ENTRIES)
                    .filter(FileViewRules::isSocket)
                    .findFirst();
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty(); // unreadable parts are unreadable for the cell too
        }
    }

    private static boolean isSocket(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isOther() && !Files.isSymbolicLink(p) && !isDevice(p);
        } catch (IOException e) {
            return false;
        }
    }

    /** Character/block devices and FIFOs are "other" too; /proc tells them apart from sockets cheaply. */
    private static boolean isDevice(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return ((Integer) mode & 0170000) != 0140000;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
