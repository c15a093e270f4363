package io.isola.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

final class Cleanup {
    private Cleanup() {}

    static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // test scratch space: best effort
        }
    }

    /** Cell cgroup directories (any hierarchy) whose name contains {@code cellId}. */
    static List<Path> cgroupsOf(String cellId) {
        try (Stream<Path> roots = Files.list(Path.of("/sys/fs/cgroup"))) {
            return roots.map(r -> r.resolve("isola"))
                    .filter(Files::isDirectory)
                    .flatMap(d -> {
                        try (Stream<Path> s = Files.list(d)) {
                            return s.filter(c -> c.getFileName().toString().startsWith(cellId + "-")).toList().stream();
                        } catch (IOException e) {
                            return Stream.empty();
                        }
                    })
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

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
            return -1;
        }
    }
}
