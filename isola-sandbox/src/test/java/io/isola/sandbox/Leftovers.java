package io.isola.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Counts what cells could leave behind: cgroups, mounts (host and the engine's private namespace), processes. */
final class Leftovers {
    private Leftovers() {}

    /** Cell cgroups owned by this JVM, in every hierarchy. */
    static List<Path> cellCgroups() {
        String owner = Janitor.Owner.SELF;
        try (Stream<Path> roots = Files.list(Path.of("/sys/fs/cgroup"))) {
            return roots.flatMap(r -> {
                        Path isola = Files.exists(r.resolve("isola"))
                                ? r.resolve("isola")
                                : r.getFileName().toString().equals("isola") ? r : null;
                        if (isola == null) {
                            return Stream.empty();
                        }
                        try {
                            return Files.list(isola)
                                    .filter(p -> p.getFileName().toString().endsWith("-" + owner))
                                    .toList()
                                    .stream();
                        } catch (IOException e) {
                            return Stream.empty();
                        }
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long hostMounts() {
        return lines(Path.of("/proc/self/mountinfo")).stream().count();
    }

    /** Cell mounts in the engine's private mount namespace (read through its thread's /proc entry). */
    /** Cell mounts in the engine's base mount namespace: there must never be any. */
    static long cellMountsInBaseNamespace(SandboxEngine engine) {
        return lines(engine.privateMountInfo()).stream()
                .filter(l -> l.contains("/run/cell "))
                .count();
    }

    /** Mount namespaces this JVM holds open; each prepared or running cell holds one. */
    static long openMountNamespaces() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).toString().startsWith("mnt:");
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Host processes whose command line contains {@code marker}. */
    static long processesWith(String marker) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> {
                        try {
                            return new String(Files.readAllBytes(p.resolve("cmdline")))
                                    .replace('\0', ' ')
                                    .contains(marker);
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            return List.of();
        }
    }
}
