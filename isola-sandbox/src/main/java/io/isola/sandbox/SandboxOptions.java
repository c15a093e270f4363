package io.isola.sandbox;

import io.isola.core.IsolaException;
import io.isola.core.StatePaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * How the sandbox engine is set up on this machine.
 *
 * @param poolSize cells kept prepared ahead (cgroup and root file system) so that a task does not wait for them
 * @param refill whether a cell taken from the pool is replaced; a one-shot command line prepares its one cell
 *     while it starts up, and no more
 * @param callerUid the host uid a cell acts for on its view: the invoking user under sudo, otherwise root, who ran
 *     Isola (ISOLA_CELL_UID says otherwise). Each cell runs as a host uid of its own (see {@link CellUids}); its
 *     --ro/--rw view is idmapped so that the caller's files are the cell's there and what it writes there is the
 *     caller's. A cell whose view cannot be idmapped runs as this uid itself, as every cell once did, except when
 *     it is root: then the cell is refused, never run as host root.
 */
public record SandboxOptions(
        StatePaths paths, Path bwrap, Path cgroupRoot, int callerUid, int callerGid, int poolSize, boolean refill) {
    /** Owns no file on a normal system: the group of an ISOLA_CELL_UID given without ISOLA_CELL_GID. */
    public static final int NOBODY_RANGE_UID = 2_000_000_000;

    /**
     * The caller is the invoking user under sudo, else root (the engine needs root): the person who ran Isola shares
     * their own files, and what a cell writes to a --rw folder is theirs. ISOLA_CELL_UID/GID name another user; a
     * uid given alone gets a group that owns nothing rather than root's.
     */
    public static SandboxOptions fromEnvironment(StatePaths paths, Map<String, String> env) {
        Path bwrap = Path.of(env.getOrDefault("ISOLA_BWRAP", "/usr/bin/bwrap"));
        int uid = parse(env.get("ISOLA_CELL_UID"), parse(env.get("SUDO_UID"), 0));
        int defaultGid = env.get("ISOLA_CELL_UID") != null && env.get("SUDO_GID") == null ? NOBODY_RANGE_UID : 0;
        int gid = parse(env.get("ISOLA_CELL_GID"), parse(env.get("SUDO_GID"), defaultGid));
        Path cgroups = Path.of(env.getOrDefault("ISOLA_CGROUP_ROOT", "/sys/fs/cgroup"));
        return new SandboxOptions(paths, bwrap, cgroups, uid, gid, parse(env.get("ISOLA_POOL_SIZE"), 2), true);
    }

    /**
     * {@code cells} cells, prepared while the engine starts, and no more: for a command that runs a single task (two
     * for a task in a window: its display has a cell of its own).
     */
    public SandboxOptions oneShot(int cells) {
        return new SandboxOptions(paths, bwrap, cgroupRoot, callerUid, callerGid, cells, false);
    }

    void check() {
        if (!Files.isExecutable(Path.of("/usr/bin/unshare"))) {
            throw new IsolaException("unshare is missing: apt-get install util-linux");
        }
        if (!Files.isExecutable(bwrap)) {
            throw new IsolaException("bubblewrap is not installed (no " + bwrap + "): apt-get install bubblewrap");
        }
        String root = paths.root().toString();
        if (root.contains(",") || root.contains(":") || root.contains("\\")) {
            throw new IsolaException(
                    "the state directory " + root
                            + " contains ',', ':' or '\\', which overlayfs cannot take: choose another with ISOLA_STATE_DIR",
                    2);
        }
    }

    private static int parse(String s, int fallback) {
        try {
            return s == null || s.isBlank() ? fallback : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
