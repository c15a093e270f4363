package io.isola.linux.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Isola's own subtree ({@code isola/} under each hierarchy) in which every cell gets a child cgroup. Finding the
 * layout reads only /sys/fs/cgroup, so it is cheap enough to do at every start.
 */
public final class CgroupTree {
    private static final List<String> V1_CONTROLLERS = List.of("memory", "pids", "cpu", "cpuacct");
    private static final List<String> V2_CONTROLLERS = List.of("memory", "pids", "cpu");

    private final CgroupVersion version;
    /** v2: one base. v1: one base per controller of V1_CONTROLLERS (null where not mounted). */
    private final List<Path> bases;

    private CgroupTree(CgroupVersion version, List<Path> bases) {
        this.version = version;
        this.bases = bases;
    }

    /**
     * Finds the layout under {@code mountRoot} (normally /sys/fs/cgroup) and makes {@code subtree} in it.
     *
     * @throws CgroupUnavailableException with a message that says what to do
     */
    public static CgroupTree open(Path mountRoot, String subtree) {
        if (Files.exists(mountRoot.resolve("cgroup.controllers"))) {
            return openV2(mountRoot, subtree);
        }
        if (isHierarchy(mountRoot.resolve("memory")) && isHierarchy(mountRoot.resolve("pids"))) {
            List<Path> bases = new ArrayList<>();
            List<Path> seen = new ArrayList<>();
            for (String c : V1_CONTROLLERS) {
                Path mount = realPath(mountRoot.resolve(c));
                // systemd co-mounts cpu and cpuacct as one hierarchy with two names: use it once.
                boolean usable = isHierarchy(mount) && !seen.contains(mount);
                bases.add(usable ? mount.resolve(subtree) : null);
                if (usable) {
                    seen.add(mount);
                    mkdirs(mount.resolve(subtree));
                }
            }
            return new CgroupTree(CgroupVersion.V1, bases);
        }
        throw new CgroupUnavailableException("no usable cgroup hierarchy at " + mountRoot
                + ": mount cgroup2 there (or the v1 memory and pids controllers)");
    }

    private static CgroupTree openV2(Path root, String subtree) {
        Path base = root.resolve(subtree);
        try {
            List<String> available = words(root.resolve("cgroup.controllers"));
            for (String c : V2_CONTROLLERS) {
                if (!available.contains(c)) {
                    throw new CgroupUnavailableException("the cgroup2 hierarchy at " + root + " lacks the " + c
                            + " controller: enable it (systemd: Delegate=yes) or boot with cgroup v1");
                }
            }
            enable(root);
            mkdirs(base);
            enable(base);
        } catch (IOException e) {
            throw access(root, e);
        }
        return new CgroupTree(CgroupVersion.V2, List.of(base));
    }

    private static void enable(Path dir) throws IOException {
        List<String> on = words(dir.resolve("cgroup.subtree_control"));
        for (String c : V2_CONTROLLERS) {
            if (!on.contains(c)) {
                Cgroup.write(dir.resolve("cgroup.subtree_control"), "+" + c);
            }
        }
    }

    private static List<String> words(Path file) throws IOException {
        return List.of(Files.readString(file).trim().split("\\s+"));
    }

    private static boolean isHierarchy(Path dir) {
        return Files.exists(dir.resolve("cgroup.procs"));
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    /**
     * On cgroup v1, runs {@code spawn} with the calling thread inside {@code cg}, so that the process it starts is
     * born there, then puts the thread back. A thread that moves itself skips the kernel's global threadgroup lock,
     * whose write side waits for an RCU grace period (milliseconds) on every migration of another process; this is
     * the difference between a cell start that waits for the kernel and one that does not. Only where
     * {@link #canSpawnInside()}: on v2 a thread cannot leave its process's cgroup, and the caller migrates the child.
     */
    public <T> T spawnInside(Cgroup cg, java.util.function.Supplier<T> spawn) {
        if (!canSpawnInside()) {
            throw new IllegalStateException("cgroup v2 cannot move a single thread");
        }
        List<Path> home = threadHome(cg);
        try {
            for (Path d : cg.directories()) {
                Cgroup.write(d.resolve("tasks"), "0");
            }
            return spawn.get();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot enter cgroup " + cg.name(), e);
        } finally {
            for (Path d : home) {
                try {
                    Cgroup.write(d.resolve("tasks"), "0");
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot leave cgroup " + cg.name(), e);
                }
            }
        }
    }

    /** Where the calling thread is now, in each hierarchy of {@code cg}: read from /proc/thread-self/cgroup. */
    private List<Path> threadHome(Cgroup cg) {
        List<Path> home = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/thread-self/cgroup"));
            for (Path d : cg.directories()) {
                Path mount = d.getParent().getParent();
                String controller = mount.getFileName().toString();
                for (String line : lines) {
                    String[] f = line.split(":", 3);
                    if (f.length == 3 && List.of(f[1].split(",")).contains(controller)) {
                        home.add(f[2].equals("/") ? mount : mount.resolve(f[2].substring(1)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return home;
    }

    public boolean canSpawnInside() {
        return version == CgroupVersion.V1;
    }

    public CgroupVersion version() {
        return version;
    }

    /** Creates the child cgroup {@code name} with these limits. */
    public Cgroup create(String name, CgroupLimits limits) {
        List<Path> dirs =
                bases.stream().map(b -> b == null ? null : b.resolve(name)).toList();
        Cgroup cg = new Cgroup(version, name, dirs);
        try {
            for (Path d : cg.directories()) {
                Files.createDirectory(d);
            }
            cg.applyLimits(limits);
            return cg;
        } catch (IOException e) {
            cg.remove();
            throw access(bases.get(0), e);
        }
    }

    /** The cell cgroups that exist now, from this or an earlier (perhaps killed) Isola. */
    public List<Cgroup> children() {
        Path primary = version == CgroupVersion.V2 ? bases.get(0) : bases.get(1);
        List<Cgroup> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(primary)) {
            s.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .forEach(name -> out.add(new Cgroup(
                            version,
                            name,
                            bases.stream()
                                    .map(b -> b == null ? null : b.resolve(name))
                                    .toList())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // A v1 controller may hold a leftover that the pids controller no longer has.
        return out;
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw access(dir, e);
        }
    }

    private static CgroupUnavailableException access(Path where, IOException e) {
        String why = e instanceof AccessDeniedException ? "permission denied" : e.toString();
        return new CgroupUnavailableException("cannot manage cgroups under " + where + " (" + why
                + "): run Isola as root, or delegate a cgroup2 subtree to your user");
    }
}
